import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename, extname } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { StudioError } from '@shared/ipc/errors'
import { DelimitedReader } from './delimited'
import { GridBuilder, type SheetGrid } from './grid'
import { formatBytes, sheetError, type SheetLimits } from './limits'
import { readWorkbook } from './xlsx'

/** Label-sheet extensions read as delimited text. */
const DELIMITED = ['.csv', '.tsv', '.txt']

/**
 * Reads every sheet of an xlsx workbook, or a csv/tsv file as one sheet named `csv`, into plain
 * cell grids, within `limits`. Opens the file read-only: label files are never modified.
 */
export async function readSheetFile(path: string, limits: SheetLimits): Promise<SheetGrid[]> {
  const extension = extname(path).toLowerCase()
  if (DELIMITED.includes(extension)) {
    const grid = new GridBuilder(limits, basename(path))
    grid.startSheet('csv')
    await readDelimitedFile(path, limits, (row) => grid.addRow(row))
    return [grid.endSheet()]
  }
  if (extension !== '.xlsx') throw new StudioError('labels/malformed', `Label files must be .xlsx or .csv, got ${extension || 'no extension'}: ${path}`)
  return readWorkbook(path, limits)
}

/** Streams a delimited file row by row (see `DelimitedReader`). */
export async function readDelimitedFile(path: string, limits: SheetLimits, onRow: ConstructorParameters<typeof DelimitedReader>[0], delimiter?: ',' | ';' | '\t'): Promise<void> {
  const reader = new DelimitedReader(onRow, limits, basename(path), delimiter)
  await readTextFile(path, limits, (text) => reader.write(text))
  reader.end()
}

/**
 * Streams a UTF-8 text file to `sink` in chunks, refusing it when it is larger than
 * `limits.maxBytes` (by its size up front, and by the bytes read, should it grow meanwhile).
 */
export async function readTextFile(path: string, limits: Pick<SheetLimits, 'maxBytes'>, sink: (text: string) => void): Promise<void> {
  const info = await stat(path).catch(() => null)
  if (!info?.isFile()) throw new StudioError('not-found', `No such file: ${path}`)
  const tooLarge = () => sheetError('sheet/too-large', `${basename(path)} is larger than ${formatBytes(limits.maxBytes)} (the limit)`)
  if (info.size > limits.maxBytes) throw tooLarge()
  const decoder = new StringDecoder('utf8')
  let bytes = 0
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      bytes += chunk.length
      if (bytes > limits.maxBytes) throw tooLarge()
      sink(decoder.write(chunk))
    }
  } catch (error) {
    if (error instanceof StudioError) throw error
    throw sheetError('sheet/unreadable', `${basename(path)} could not be read: ${(error as Error).message}`)
  }
  sink(decoder.end())
}
