import { pinnedWorkbook } from '../formats/workbook'
import { codedClassFor } from '@shared/domain/class-set'
import type { BatchReference } from '@shared/domain/coding-source'
import { StudioError } from '@shared/ipc/errors'
import { writeFileAtomic } from '../fs-atomic'
import type { BatchStore, PredictionRow } from '../batch/store'
import { checkExportFile } from './target'
import { pinZipTimestamps } from '../formats/zip-timestamps'
import { csvHeader, csvRow, num, text, type CsvCell } from '../formats/csv'

/**
 * Exports of a batch job's predictions: CSV (the documented schema, README "Predictions CSV"),
 * XLSX and JSON. Rows come from the project in a fixed order, numbers have fixed formatting and
 * nothing depends on the clock, so exporting the same job twice gives byte-identical files.
 */

export const PREDICTION_FORMATS = ['csv', 'xlsx', 'json'] as const
export type PredictionFormat = (typeof PREDICTION_FORMATS)[number]

/** Probabilities: 6 decimals; timings: milliseconds with 3 decimals. */
const PROBABILITY_DIGITS = 6
const MS_DIGITS = 3

const LEADING_COLUMNS = [
  'dataset', 'subject', 'sample', 'clip_path', 'fps', 'onset', 'apex', 'offset', 'frames_source',
  'coded_label', 'coded_class', 'predicted_label',
] as const
const TRAILING_COLUMNS = [
  'model_id', 'model_version', 'model_sha256', 'execution_provider', 'recipe_id',
  'preprocess_ms', 'inference_ms', 'total_ms', 'error_code', 'error_message',
  // Added after the first release: last, so scripts that read columns by position keep working.
  'frames_coding',
] as const

/** One `p_<class>` column per class of the job's models, in the order the models list them. */
export function probabilityColumn(cls: string): string {
  return `p_${cls}`
}

export interface PredictionsExportOptions {
  /** Add per-frame attention/flow summaries (JSON: a `summaries` field; XLSX: a `summaries` sheet; CSV: not applicable). */
  summaries?: boolean
  /** Replace an existing file; otherwise `export/target-exists`. */
  overwrite?: boolean
}

/** The class columns of a job: every class of its models, first appearance first. */
export function jobClasses(store: BatchStore, jobId: string): string[] {
  const classes: string[] = []
  for (const facts of store.jobModelFacts(jobId)) for (const c of facts.classes) if (!classes.includes(c)) classes.push(c)
  return classes
}

export function predictionColumns(classes: readonly string[]): string[] {
  return [...LEADING_COLUMNS, ...classes.map(probabilityColumn), ...TRAILING_COLUMNS]
}

/** A prediction as typed cells in `predictionColumns` order. */
export function predictionCells(row: PredictionRow, classes: readonly string[]): CsvCell[] {
  const probability = (cls: string) => {
    const i = row.modelClasses.indexOf(cls)
    return i === -1 || row.probabilities === null ? null : num(row.probabilities[i], PROBABILITY_DIGITS)
  }
  return [
    text(row.dataset), text(row.subject), text(row.sample), text(row.clipPath), num(row.fps),
    num(row.onset), num(row.apex), num(row.offset), text(row.framesSource),
    text(row.codedEmotion), text(codedClassFor(row.codedEmotion, { classes: row.modelClasses, classSet: row.modelClassSet })), text(row.predictedClass),
    ...classes.map(probability),
    text(row.modelId), text(row.modelVersion), text(row.modelSha256), text(row.provider), text(row.recipeId),
    num(row.preprocessMs, MS_DIGITS), num(row.inferenceMs, MS_DIGITS), num(row.totalMs, MS_DIGITS),
    text(row.errorCode), text(row.errorMessage), text(row.framesCoding),
  ]
}

/** A typed cell for JSON and XLSX: text as written (neither is evaluated as a formula), numbers as numbers. */
function cellValue(cell: CsvCell): string | number | null {
  if (cell === null) return null
  return 'number' in cell ? Number(cell.number) : cell.text
}

export async function exportPredictions(store: BatchStore, jobId: string, format: PredictionFormat, path: string, options: PredictionsExportOptions = {}): Promise<{ rows: number }> {
  store.job(jobId)
  await checkExportFile(path, [`.${format}`], options.overwrite ?? false)
  switch (format) {
    case 'csv':
      if (options.summaries) throw new StudioError('invalid-input', 'Per-frame summaries are exported as JSON or XLSX, not CSV')
      return writePredictionsCsv(store, jobId, path, options)
    case 'json':
      return writePredictionsJson(store, jobId, path, options)
    case 'xlsx':
      return writePredictionsXlsx(store, jobId, path, options)
  }
}

/** The rows an export writes and its class columns: a job's predictions, or one prediction made in Inspect. */
interface PredictionSet {
  classes: readonly string[]
  rows(): Iterable<PredictionRow>
}

function jobSet(store: BatchStore, jobId: string): PredictionSet {
  return { classes: jobClasses(store, jobId), rows: () => store.iteratePredictions(jobId) }
}

/**
 * One recorded prediction (Inspect's, for the sample on screen) as CSV or JSON: the same columns
 * and formatting as a batch job's export, with that model's classes.
 */
export async function exportPrediction(
  store: BatchStore,
  predictionId: number,
  format: 'csv' | 'json',
  path: string,
  options: { overwrite?: boolean; reference?: BatchReference } = {},
): Promise<{ rows: number }> {
  const row = store.prediction(predictionId, options.reference)
  await checkExportFile(path, [`.${format}`], options.overwrite ?? false)
  const set: PredictionSet = { classes: row.modelClasses, rows: () => [row] }
  return format === 'csv' ? writeCsv(set, path, options) : writeJson(set, path, options)
}

/** The CSV text of a job in chunks of about 64 KiB (for a file or stdout). */
export function predictionsCsvChunks(store: BatchStore, jobId: string, counter = { rows: 0 }): Generator<string> {
  return csvChunks(jobSet(store, jobId), counter)
}

function* csvChunks(set: PredictionSet, counter: { rows: number }): Generator<string> {
  const { classes } = set
  let buffer = csvHeader(predictionColumns(classes))
  for (const row of set.rows()) {
    buffer += csvRow(predictionCells(row, classes))
    counter.rows += 1
    if (buffer.length > 65536) {
      yield buffer
      buffer = ''
    }
  }
  yield buffer
}

/** Streams the CSV into a file written atomically (an existing one is replaced only with `overwrite`). */
export function writePredictionsCsv(store: BatchStore, jobId: string, path: string, options: PredictionsExportOptions = {}): Promise<{ rows: number }> {
  return writeCsv(jobSet(store, jobId), path, options)
}

async function writeCsv(set: PredictionSet, path: string, options: PredictionsExportOptions): Promise<{ rows: number }> {
  const counter = { rows: 0 }
  await writeFileAtomic(
    path,
    async (write) => {
      for (const chunk of csvChunks(set, counter)) await write(chunk)
    },
    { overwrite: options.overwrite ?? false },
  )
  return counter
}

/** JSON: `{ format, columns, rows: [{column: value}] }`, one row per line; values as in the CSV (numbers as numbers). */
export function writePredictionsJson(store: BatchStore, jobId: string, path: string, options: PredictionsExportOptions = {}): Promise<{ rows: number }> {
  return writeJson(jobSet(store, jobId), path, options)
}

async function writeJson(set: PredictionSet, path: string, options: PredictionsExportOptions): Promise<{ rows: number }> {
  const { classes } = set
  const columns = predictionColumns(classes)
  let rows = 0
  await writeFileAtomic(path, async (write) => {
    await write(`{"format":"me-studio.predictions/1","columns":${JSON.stringify(columns)},"rows":[`)
    for (const row of set.rows()) {
      const cells = predictionCells(row, classes)
      const record: Record<string, unknown> = Object.fromEntries(columns.map((c, i) => [c, cellValue(cells[i]!)]))
      if (options.summaries) record.summaries = row.summaries ?? []
      await write(`${rows === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`)
      rows += 1
    }
    await write('\n]}\n')
  }, { overwrite: options.overwrite ?? false })
  return { rows }
}

/**
 * XLSX with a `predictions` sheet (numbers as numbers, text as text — Excel never evaluates a
 * string cell, so no neutralisation is needed) and, on request, a long-format `summaries` sheet.
 * Creation dates and ZIP entry times are pinned so re-exports are identical.
 */
export async function writePredictionsXlsx(store: BatchStore, jobId: string, path: string, options: PredictionsExportOptions = {}): Promise<{ rows: number }> {
  const classes = jobClasses(store, jobId)
  const workbook = await pinnedWorkbook('ME Studio', new Date(Date.UTC(2000, 0, 1)))
  const sheet = workbook.addWorksheet('predictions')
  sheet.addRow(predictionColumns(classes))
  const summaries = options.summaries ? workbook.addWorksheet('summaries') : null
  summaries?.addRow(['dataset', 'subject', 'sample', 'model_id', 'summary', 'index', 'value'])
  let rows = 0
  for (const row of store.iteratePredictions(jobId)) {
    sheet.addRow(predictionCells(row, classes).map(cellValue))
    for (const s of summaries ? (row.summaries ?? []) : []) {
      s.values.forEach((value, index) => summaries!.addRow([row.dataset, row.subject, row.sample, row.modelId, s.name, index, value]))
    }
    rows += 1
  }
  const buffer = pinZipTimestamps(new Uint8Array(await workbook.xlsx.writeBuffer()))
  await writeFileAtomic(path, buffer, { overwrite: options.overwrite ?? false })
  return { rows }
}
