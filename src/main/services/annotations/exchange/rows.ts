import { annotationFields, type AnnotationFields, type AnnotatorRole } from '@shared/domain/annotation'
import type { ImportProblem } from '@shared/domain/dataset'
import type { SampleRecord } from '@shared/domain/project'
import { StudioError } from '@shared/ipc/errors'
import { groupBySubject, matchRow } from '../../datasets/validate'
import type { Project } from '../../project/project'
import type { CodingService } from '../coding'

/**
 * The exchange model every codes format maps to: one row per sample × coder, frame numbers in
 * the dataset's numbering. Formats differ only in how they spell a row.
 */
export interface CodingRow {
  dataset: string
  subject: string
  sample: string
  coder: string
  role: AnnotatorRole
  adjudicated: boolean
  /** Clip frame rate and first frame number: ms columns are (frame − firstFrame) / fps. */
  fps: number
  firstFrame: number | null
  fields: AnnotationFields
}

export interface ExportSelection {
  datasetId?: number | undefined
  /** Coders to export; all annotators (dataset labels and adjudications included) when absent. */
  annotatorIds?: number[] | undefined
  sampleIds?: number[] | undefined
}

export function collectCodingRows(project: Project, selection: ExportSelection = {}): CodingRow[] {
  const annotators = new Map(project.listAnnotators().map((a) => [a.id, a]))
  const datasets = new Map(project.listDatasets().map((d) => [d.id, d]))
  const samples = new Map(project.listSampleRows(selection.datasetId).map((s) => [s.id, s]))
  const wantedCoders = selection.annotatorIds ? new Set(selection.annotatorIds) : null
  const wantedSamples = selection.sampleIds ? new Set(selection.sampleIds) : null
  const rows: CodingRow[] = []
  for (const a of project.allAnnotations(selection.datasetId)) {
    if (wantedCoders && !wantedCoders.has(a.annotatorId)) continue
    if (wantedSamples && !wantedSamples.has(a.sampleId)) continue
    const sample = samples.get(a.sampleId)!
    const coder = annotators.get(a.annotatorId)!
    rows.push({
      dataset: datasets.get(sample.datasetId)!.name,
      subject: sample.subject,
      sample: sample.name,
      coder: coder.name,
      role: coder.role,
      adjudicated: a.adjudicated,
      fps: sample.clip.fps,
      firstFrame: sample.firstFrame,
      fields: annotationFields(a),
    })
  }
  return rows
}

export interface CodesImportResult {
  imported: number
  unchanged: number
  coders: string[]
  problems: ImportProblem[]
}

/** Rows listed in the "nothing imported" error before "… and N more". */
const LISTED_ROWS = 20

/**
 * Writes imported rows into the project in ONE transaction: each annotation replaced as one
 * undoable action (`import <format>`); coders created by name. Samples are found as the dataset
 * importer finds them (subject `1`/`01`/`sub01`, trimmed names, video codes, abbreviated names);
 * rows naming an unknown sample are reported and skipped, and a file none of whose rows found a
 * sample is refused, listing them.
 */
export function applyCodingRows(
  project: Project,
  coding: CodingService,
  rows: readonly CodingRow[],
  options: { format: string; datasetId?: number | undefined },
): CodesImportResult {
  const datasets = project.listDatasets()
  const result: CodesImportResult = { imported: 0, unchanged: 0, coders: [], problems: [] }
  const resolvers = new Map<number, (row: CodingRow) => SampleRecord | null>()
  const resolverOf = (datasetId: number) => {
    let resolve = resolvers.get(datasetId)
    if (!resolve) {
      const samples = project.listSampleRows(datasetId)
      const bySubject = groupBySubject(samples)
      resolve = (row) => matchRow(row, samples, bySubject)
      resolvers.set(datasetId, resolve)
    }
    return resolve
  }
  project.transaction(() => {
    for (const row of rows) {
      const dataset =
        options.datasetId !== undefined
          ? datasets.find((d) => d.id === options.datasetId)
          : (datasets.find((d) => d.name === row.dataset) ?? (datasets.length === 1 ? datasets[0] : undefined))
      if (!dataset) throw new StudioError('not-found', `No dataset "${row.dataset}" in this project: import the dataset first or choose one`)
      const sample = project.sampleByName(dataset.id, row.subject, row.sample) ?? resolverOf(dataset.id)(row)
      if (!sample) {
        result.problems.push({ severity: 'warning', code: 'labels/unknown-sample', message: `no sample ${row.subject}/${row.sample} in ${dataset.name}`, sample: `${row.subject}/${row.sample}` })
        continue
      }
      const coder = project.ensureAnnotator(row.coder, row.adjudicated && row.role === 'coder' ? 'adjudicator' : row.role)
      if (!result.coders.includes(coder.name)) result.coders.push(coder.name)
      const done = coding.replace({ sampleId: sample.id, annotatorId: coder.id, adjudicated: row.adjudicated }, row.fields, `import ${options.format}`)
      if (done.changed) result.imported++
      else result.unchanged++
    }
  })
  if (result.imported + result.unchanged === 0 && result.problems.length > 0) {
    const listed = result.problems.slice(0, LISTED_ROWS).map((p) => p.message)
    const more = result.problems.length > LISTED_ROWS ? `; … and ${result.problems.length - LISTED_ROWS} more` : ''
    throw new StudioError('not-found', `Nothing imported: none of the ${rows.length} rows names a sample of this project (${listed.join('; ')}${more})`, { problems: result.problems })
  }
  return result
}

/** Optional number cell: empty, `/` and `-` are null; anything else must be an integer. */
export function frameCell(value: unknown, what: string): number | null {
  if (value === null || value === undefined) return null
  const text = String(value).trim()
  if (text === '' || text === '/' || text === '-') return null
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new StudioError('labels/malformed', `${what}: "${text}" is not a frame number`)
  return n
}

export function textCell(value: unknown): string | null {
  if (value === null || value === undefined) return null
  const text = String(value)
  return text.trim() === '' ? null : text
}
