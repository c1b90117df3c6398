/**
 * CSV per RFC 4180 (CRLF line ends, fields quoted when they hold `"`, `,`, CR or LF, quotes
 * doubled), UTF-8 without BOM, plus spreadsheet formula neutralisation for text cells. The one
 * CSV writer and quoting of the studio; reading goes through `delimited.ts`.
 */
import { parseDelimited } from './delimited'
import type { SheetLimits } from './limits'

/** A typed cell: text is neutralised, numbers are written as already formatted. */
export type CsvCell = { text: string } | { number: string } | null

export const text = (value: string | null | undefined): CsvCell => (value === null || value === undefined ? null : { text: value })
export const num = (value: number | null | undefined, digits?: number): CsvCell =>
  value === null || value === undefined || !Number.isFinite(value) ? null : { number: formatNumber(value, digits) }

/**
 * Fixed formatting so that re-exports are byte-identical on every platform: `digits` decimals
 * when given, else the shortest round-trip form (integers stay integers). `-0` prints as `0`.
 */
export function formatNumber(value: number, digits?: number): string {
  const s = digits === undefined ? String(value) : value.toFixed(digits)
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s
}

/**
 * Spreadsheets (Excel, LibreOffice, Google Sheets) execute a cell that starts with `=`, `+`, `-`,
 * `@`, a tab or a CR as a formula ("CSV injection"). Such text cells get a leading `'`, which the
 * spreadsheet shows as a text marker. Numeric columns are not text and are never touched, so a
 * negative number stays a number. Text that already starts with `'` before such a character gets
 * one more, so `restoreNeutralised` gives back exactly what was written.
 */
export function neutraliseFormula(value: string): string {
  return /^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

/** Quoted when the field holds `"`, `,`, CR or LF, or starts or ends with a space (which other readers trim). */
export function quoteField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value
}

export function csvCell(cell: CsvCell): string {
  if (cell === null) return ''
  if ('number' in cell) return cell.number
  return quoteField(neutraliseFormula(cell.text))
}

export function csvHeader(columns: readonly string[]): string {
  return columns.map(quoteField).join(',') + '\r\n'
}

export function csvRow(cells: readonly CsvCell[]): string {
  return cells.map(csvCell).join(',') + '\r\n'
}

/**
 * A row for files only programs read (the models kit's manifest): quoted, never neutralised, so
 * a subject called `-1` stays `-1`.
 */
export function plainCsvRow(values: readonly (string | number | null)[]): string {
  return values.map((v) => (v === null ? '' : quoteField(String(v)))).join(',') + '\r\n'
}

/**
 * Parses CSV that ME Studio wrote (predictions, codes, reports, cluster shards) into rows of
 * strings, empty cells as ''. The same reader as label sheets and codes from outside
 * (`DelimitedReader`), without their size limits: these files are the studio's own. Throws on an
 * unterminated quoted field, naming the line it started on.
 */
export function parseCsv(input: string): string[][] {
  return parseDelimited(input, OWN_FILES, 'CSV', ',').map((row) => row.map((cell) => (cell === null ? '' : String(cell))))
}

const OWN_FILES: SheetLimits = { maxBytes: Infinity, maxRows: Infinity, maxColumns: Infinity, maxCells: Infinity, maxCellChars: Infinity, maxXmlDepth: Infinity }

/** Undoes `neutraliseFormula` on a text cell read back from our own CSV. */
export function restoreNeutralised(value: string): string {
  return /^''*[=+\-@\t\r]/.test(value) ? value.slice(1) : value
}
