/**
 * The file formats of the studio, in one place: CSV (the one writer, quoting and formula
 * neutralisation in `csv.ts`; the one reader, `delimited.ts`), XLSX (streaming reader `xlsx.ts`
 * over `zip.ts` and the capped XML reader `xml.ts`; written with exceljs and made byte-stable by
 * `zip-timestamps.ts`), and the limits on files from outside (`limits.ts`). Predictions, codes
 * exchange, evaluation reports, cluster shards and dataset label sheets all read and write here.
 */
export { SHEET_LIMITS, type SheetLimits } from './limits'
export type { Cell, SheetGrid } from './grid'
export { DelimitedReader, parseDelimited } from './delimited'
export { readDelimitedFile, readSheetFile, readTextFile } from './read'
export { readWorkbook } from './xlsx'
export { pinnedWorkbook } from './workbook'
