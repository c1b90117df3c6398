import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import ExcelJS from 'exceljs'
import { StudioError } from '@shared/ipc'

/** A cell after reading: rich text, formulas and hyperlinks reduced to what the cell shows. */
export type Cell = string | number | null

export interface SheetGrid {
  name: string
  /** rows[i] is spreadsheet row i + 1; cells[j] is column j + 1. */
  rows: Cell[][]
}

/**
 * Reads every sheet of an xlsx workbook, or a csv/tsv file as one sheet, into plain cell grids.
 * Opens the file read-only: label files are never modified.
 */
export async function readSheets(path: string): Promise<SheetGrid[]> {
  const extension = extname(path).toLowerCase()
  if (extension === '.csv' || extension === '.tsv' || extension === '.txt') {
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch {
      throw new StudioError('not-found', `No such label file: ${path}`)
    }
    return [{ name: 'csv', rows: parseDelimited(text) }]
  }
  if (extension !== '.xlsx') throw new StudioError('labels/malformed', `Label files must be .xlsx or .csv, got ${extension || 'no extension'}: ${path}`)
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch {
    throw new StudioError('not-found', `No such label file: ${path}`)
  }
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (error) {
    throw new StudioError('labels/malformed', `Not a readable xlsx workbook: ${path} (${(error as Error).message})`)
  }
  return workbook.worksheets.map((sheet) => {
    const rows: Cell[][] = []
    sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
      const cells: Cell[] = []
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        cells[column - 1] = cellValue(cell.value)
      })
      rows[rowNumber - 1] = Array.from(cells, (c) => c ?? null)
    })
    return { name: sheet.name, rows: Array.from(rows, (r) => r ?? []) }
  })
}

function cellValue(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') return value
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('')
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as { result?: unknown }).result
      return typeof result === 'number' || typeof result === 'string' ? result : null
    }
    if ('text' in value) return String((value as { text: unknown }).text)
    if ('error' in value) return null
  }
  return String(value)
}

/** RFC 4180 csv (quotes, doubled quotes, CRLF); the delimiter (`,` `;` or tab) is taken from the first line. */
export function parseDelimited(text: string): Cell[][] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const firstLine = body.slice(0, body.indexOf('\n') === -1 ? body.length : body.indexOf('\n'))
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',')
  const rows: Cell[][] = []
  let row: Cell[] = []
  let field = ''
  let quoted = false
  let wasQuoted = false
  const endField = () => {
    const trimmed = field.trim()
    row.push(trimmed === '' && !wasQuoted ? null : wasQuoted ? field : trimmed)
    field = ''
    wasQuoted = false
  }
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"' && field.trim() === '') {
      quoted = true
      wasQuoted = true
      field = ''
    } else if (ch === delimiter) endField()
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++
      endField()
      rows.push(row)
      row = []
    } else field += ch
  }
  if (field !== '' || row.length > 0) {
    endField()
    rows.push(row)
  }
  return rows
}
