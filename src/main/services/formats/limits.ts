import { StudioError, type ErrorCode } from '@shared/ipc/errors'

/**
 * What a label sheet or codes file (xlsx, csv, .eaf) may hold before it is refused. Real files are
 * far below: CAS(ME)³'s label sheets have a few thousand rows of ~15 columns, CASME II's 255 rows,
 * an ME Studio codes file one row per sample × coder. The caps stop files built to exhaust memory
 * (a 1.4 MB xlsx that unpacks to 1.5 M rows, one cell of 100 MB) while any real sheet passes.
 */
export interface SheetLimits {
  /** Bytes read: an xlsx's XML parts after decompression (all together), a csv or .eaf file's size; also the characters of text all cells hold together. */
  maxBytes: number
  /** Rows of a sheet (the highest row number, so a lone cell in row 1,000,000 counts as 1,000,000 rows); ELAN tiers and time slots. */
  maxRows: number
  /** Columns of a sheet (the highest column). */
  maxColumns: number
  /** Cells of a workbook, counting each row as wide as its last cell; shared strings of an xlsx. */
  maxCells: number
  /** Characters of one cell, or of one ELAN annotation value or property. */
  maxCellChars: number
  /** Nesting of XML elements (SpreadsheetML and EAF nest less than 10 deep). */
  maxXmlDepth: number
}

export const SHEET_LIMITS: Readonly<SheetLimits> = {
  maxBytes: 64 * 1024 * 1024,
  maxRows: 100_000,
  maxColumns: 256,
  maxCells: 2_000_000,
  // Excel's own limit for one cell.
  maxCellChars: 32_767,
  maxXmlDepth: 64,
}

export type SheetErrorCode = Extract<ErrorCode, `sheet/${string}`>

export function sheetError(code: SheetErrorCode, message: string): StudioError {
  return new StudioError(code, message)
}

export const formatCount = (n: number): string => n.toLocaleString('en-US')

export const formatBytes = (n: number): string => (n >= 1024 * 1024 ? `${formatCount(Math.round(n / (1024 * 1024)))} MiB` : `${formatCount(n)} bytes`)
