import { runSheetTask } from '../../workers/sheet-host'
import type { SheetGrid } from '../formats'

export { parseDelimited, type Cell, type SheetGrid } from '../formats'

/**
 * Reads every sheet of an xlsx workbook, or a csv/tsv file as one sheet, into plain cell grids:
 * in the sheet worker, streaming, within `SHEET_LIMITS` (a file over a limit is refused with a
 * `sheet/…` error naming it). Opens the file read-only: label files are never modified.
 */
export function readSheets(path: string): Promise<SheetGrid[]> {
  return runSheetTask('sheets', { path })
}
