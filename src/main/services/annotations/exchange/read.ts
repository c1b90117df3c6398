import { readdir, stat } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import type { CODES_FORMATS } from '@shared/ipc/channels/annotations'
import { SHEET_LIMITS, formatCount, sheetError, type SheetLimits } from '../../formats/limits'
import { readTextFile, readWorkbook } from '../../formats'
import { readCodesCsv } from './csv'
import { EafReader } from './eaf'
import type { CodingRow } from './rows'
import { codesFromXlsx } from './xlsx-read'

export type CodesFormat = (typeof CODES_FORMATS)[number]

export interface CodesReadOptions {
  /** xlsx sheets without ME Studio's index sheet: the coder they belong to. */
  coder?: string | undefined
}

/**
 * Reads the codes of a csv/xlsx file, an .eaf file or a folder of .eaf files, streaming and within
 * the sheet limits (rows count over the whole folder). Runs in the sheet worker.
 */
export async function readCodes(source: string, options: CodesReadOptions = {}, limits: SheetLimits = SHEET_LIMITS): Promise<{ format: CodesFormat; rows: CodingRow[]; ignored: string[] }> {
  const info = await stat(source).catch(() => null)
  if (!info) throw new StudioError('not-found', `No such file or folder: ${source}`)
  const isFolder = info.isDirectory()
  const format = isFolder ? 'eaf' : formatOf(source)
  if (format === 'csv') return { format, rows: await readCodesCsv(source, limits), ignored: [] }
  if (format === 'xlsx') return { format, rows: codesFromXlsx(await readWorkbook(source, limits), { coder: options.coder }), ignored: [] }
  const files = !isFolder ? [source] : (await readdir(source)).filter((f) => f.toLowerCase().endsWith('.eaf')).sort().map((f) => join(source, f))
  const rows: CodingRow[] = []
  const ignored: string[] = []
  for (const file of files) {
    const reader = new EafReader(limits, basename(file))
    await readTextFile(file, limits, (text) => reader.write(text))
    const codes = reader.end()
    rows.push(...codes.rows)
    ignored.push(...codes.ignored.map((what) => `${basename(file)}: ${what}`))
    if (rows.length > limits.maxRows) throw sheetError('sheet/too-many-rows', `${basename(source)} holds more than ${formatCount(limits.maxRows)} codings (the limit)`)
  }
  return { format, rows, ignored }
}

function formatOf(source: string): CodesFormat {
  const ext = extname(source).toLowerCase()
  if (ext === '.csv') return 'csv'
  if (ext === '.xlsx') return 'xlsx'
  if (ext === '.eaf') return 'eaf'
  throw new StudioError('invalid-input', `Cannot tell the codes format of ${source}: use .csv, .xlsx, .eaf or a folder of .eaf files`)
}
