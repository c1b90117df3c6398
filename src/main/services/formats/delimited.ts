import { formatCount, sheetError, SHEET_LIMITS, type SheetLimits } from './limits'
import type { Cell } from './grid'

/**
 * A streaming RFC 4180 reader (quotes, doubled quotes, CRLF or LF): text in chunks of any size,
 * rows out one at a time, so a file of millions of rows is refused at the row limit without being
 * held. The delimiter (`,` `;` or tab) is taken from the first line unless given. Unquoted fields
 * are trimmed and empty ones are null; quoted fields are kept verbatim. A quoted field that never
 * closes is an error naming the line it opened on.
 */
export class DelimitedReader {
  private delimiter: string | null
  private carry = ''
  private started = false
  private row: Cell[] = []
  private field = ''
  private quoted = false
  /** A quote inside a quoted field: doubled (`""`) or closing, as the next character says. */
  private pendingQuote = false
  /** A CR ended a row: a LF right after it belongs to it. */
  private pendingCR = false
  private wasQuoted = false
  private line = 1
  private quoteLine = 0
  private rows = 0
  private cells = 0

  constructor(
    private readonly onRow: (cells: Cell[]) => void,
    private readonly limits: SheetLimits,
    private readonly what: string,
    delimiter?: ',' | ';' | '\t',
  ) {
    this.delimiter = delimiter ?? null
  }

  write(chunk: string): void {
    let text = this.carry + chunk
    if (!this.started) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      // The first line decides the delimiter: wait for it (a line is at most one row's worth of text).
      const newline = text.indexOf('\n')
      if (this.delimiter === null && newline === -1 && text.length < this.limits.maxColumns * 64) {
        this.carry = text
        return
      }
      this.delimiter ??= detectDelimiter(text.slice(0, newline === -1 ? text.length : newline))
      this.started = true
    }
    this.carry = ''
    this.scan(text)
  }

  end(): void {
    if (!this.started) {
      const text = this.carry.charCodeAt(0) === 0xfeff ? this.carry.slice(1) : this.carry
      this.delimiter ??= detectDelimiter(text.split('\n', 1)[0]!)
      this.started = true
      this.scan(text)
    }
    if (this.pendingQuote) this.quoted = this.pendingQuote = false
    if (this.quoted) throw sheetError('sheet/unreadable', `${this.what}: the quoted field opened on line ${this.quoteLine} is never closed`)
    if (this.field !== '' || this.wasQuoted || this.row.length > 0) {
      this.endField()
      this.endRow()
    }
  }

  /** One character at a time, no look-ahead: a quote or CR that pairs with the next character is decided when it comes, even in the next chunk. */
  private scan(text: string): void {
    const delimiter = this.delimiter!
    for (const ch of text) {
      if (this.pendingQuote) {
        this.pendingQuote = false
        if (ch === '"') {
          this.add('"')
          continue
        }
        this.quoted = false
      }
      if (this.pendingCR) {
        this.pendingCR = false
        if (ch === '\n') continue
      }
      if (this.quoted) {
        if (ch === '"') this.pendingQuote = true
        else {
          if (ch === '\n') this.line++
          this.add(ch)
        }
      } else if (ch === '"' && this.field.trim() === '') {
        this.quoted = true
        this.wasQuoted = true
        this.quoteLine = this.line
        this.field = ''
      } else if (ch === delimiter) this.endField()
      else if (ch === '\n' || ch === '\r') {
        this.pendingCR = ch === '\r'
        this.endField()
        this.endRow()
        this.line++
      } else this.add(ch)
    }
  }

  private add(ch: string): void {
    this.field += ch
    if (this.field.length > this.limits.maxCellChars) {
      throw sheetError('sheet/cell-too-long', `${this.what}: a cell on line ${this.quoted ? this.quoteLine : this.line} is longer than ${formatCount(this.limits.maxCellChars)} characters (the limit; Excel's own is the same)`)
    }
  }

  private endField(): void {
    const trimmed = this.field.trim()
    this.row.push(trimmed === '' && !this.wasQuoted ? null : this.wasQuoted ? this.field : trimmed)
    this.field = ''
    this.wasQuoted = false
    if (this.row.length > this.limits.maxColumns) {
      throw sheetError('sheet/too-many-columns', `${this.what}: line ${this.line} has more than ${formatCount(this.limits.maxColumns)} columns (the limit)`)
    }
  }

  private endRow(): void {
    if (++this.rows > this.limits.maxRows) throw sheetError('sheet/too-many-rows', `${this.what} has more than ${formatCount(this.limits.maxRows)} rows (the limit)`)
    this.cells += this.row.length
    if (this.cells > this.limits.maxCells) throw sheetError('sheet/too-large', `${this.what} has more than ${formatCount(this.limits.maxCells)} cells (the limit)`)
    const row = this.row
    this.row = []
    this.onRow(row)
  }
}

function detectDelimiter(firstLine: string): ',' | ';' | '\t' {
  return ([',', ';', '\t'] as const).reduce<',' | ';' | '\t'>((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',')
}

/** Delimited text already in memory, as rows (the same reader and limits as files). */
export function parseDelimited(text: string, limits: SheetLimits = SHEET_LIMITS, what = 'the text', delimiter?: ',' | ';' | '\t'): Cell[][] {
  const rows: Cell[][] = []
  const reader = new DelimitedReader((row) => rows.push(row), limits, what, delimiter)
  reader.write(text)
  reader.end()
  return rows
}
