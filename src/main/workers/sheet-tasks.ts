/**
 * What the sheet worker does: read label sheets and codes files from outside (xlsx, csv, .eaf),
 * streaming and within `SHEET_LIMITS`. In a worker so that a large or hostile file costs the
 * worker's time and memory, never the event loop that serves the UI.
 */
import { readCodes } from '../services/annotations/exchange/read'
import { SHEET_LIMITS, readSheetFile } from '../services/formats'

export const sheetTasks = {
  /** Every sheet of a label file (xlsx, or csv/tsv as one sheet). */
  sheets: (p: { path: string }) => readSheetFile(p.path, SHEET_LIMITS),
  /** Codes of a csv/xlsx/.eaf file or a folder of .eaf files. */
  codes: (p: { source: string; coder?: string | undefined }) => readCodes(p.source, { coder: p.coder }, SHEET_LIMITS),
} satisfies Record<string, (params: never) => Promise<unknown>>

export type SheetTaskName = keyof typeof sheetTasks
export type SheetTaskParams<N extends SheetTaskName> = Parameters<(typeof sheetTasks)[N]>[0]
export type SheetTaskResult<N extends SheetTaskName> = Awaited<ReturnType<(typeof sheetTasks)[N]>>

export interface SheetRequest {
  id: number
  task: SheetTaskName
  params: unknown
}

export type SheetReply = { id: number; value: unknown } | { id: number; error: { code: string; message: string } }
