import { basename } from 'node:path'
import { parseAus } from '@shared/domain/au'
import type { AnnotationFields } from '@shared/domain/annotation'
import { DATASET_TITLES, canonicalEmotion, type ImportProblem, type LabelRow, type ScannedSample } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc/errors'
import { openDataset, type DatasetSummary, type OpenDatasetOptions, type OpenedDataset } from '../datasets'
import type { MediaService } from '../media/media-service'
import type { Project } from './project'

/**
 * Imports a dataset into the project: the scanned clips become samples and the label sheet's
 * rows become annotations of a read-only annotator "<format> labels" (role `dataset`), all in ONE
 * transaction — an import is in the project whole or not at all. Problems (from the scan, the
 * sheet and validation, plus the rows this import could not store) are kept with the dataset;
 * they are warnings unless nothing could be imported. The source folder is only read.
 */

export interface DatasetImportResult {
  datasetId: number
  name: string
  root: string
  summary: DatasetSummary
  /** Label rows stored as annotations of the dataset's labels annotator. */
  labelled: number
  labelsAnnotatorId: number | null
  problems: ImportProblem[]
}

export interface ImportDatasetOptions extends OpenDatasetOptions {
  /** Display name; default: the folder name. */
  name?: string
}

/** Scans `root` (with the media service) and imports it; `onProgress` reports the scan per clip. */
export async function importDataset(project: Project, media: MediaService, root: string, options: ImportDatasetOptions = {}): Promise<DatasetImportResult> {
  const opened = await openDataset(root, media, options)
  return storeOpenedDataset(project, opened, options.name)
}

export function storeOpenedDataset(project: Project, opened: OpenedDataset, name?: string): DatasetImportResult {
  const { scan } = opened
  if (scan.samples.length === 0) {
    throw new StudioError('dataset/unrecognised', `Nothing to import from ${scan.root}: ${opened.problems.map((p) => p.message).join('; ') || 'no clips found'}`, {
      problems: opened.problems,
    })
  }
  if (project.datasetByRoot(scan.root)) throw new StudioError('conflict', `${scan.root} is already in this project`)
  const problems = [...opened.problems]
  const rowsBySample = labelRowsBySample(opened, problems)
  const datasetName = name ?? basename(scan.root)
  return project.transaction(() => {
    const datasetId = project.insertDataset({
      name: datasetName,
      root: scan.root,
      format: scan.format,
      fps: scan.fps,
      labelsPath: opened.labels?.path ?? null,
      problems: [],
    })
    const sampleIds = new Map<ScannedSample, number>()
    for (const sample of scan.samples) {
      sampleIds.set(sample, project.insertSample(datasetId, scan.root, { subject: sample.subject, name: sample.name, clip: sample.clip, folderLabel: sample.folderLabel }))
    }
    let labelsAnnotatorId: number | null = null
    let labelled = 0
    if (rowsBySample.size > 0) {
      labelsAnnotatorId = project.ensureAnnotator(`${DATASET_TITLES[scan.format]} labels`, 'dataset').id
      for (const [sample, row] of rowsBySample) {
        project.putAnnotation({ sampleId: sampleIds.get(sample)!, annotatorId: labelsAnnotatorId, adjudicated: false }, labelFields(row, problems))
        labelled++
      }
    }
    // Problems are stored last so the ones found while writing are kept too.
    project.database.db.prepare('UPDATE datasets SET problems_json = ? WHERE id = ?').run(JSON.stringify(problems), datasetId)
    return { datasetId, name: datasetName, root: scan.root, summary: opened.summary, labelled, labelsAnnotatorId, problems }
  })
}

/**
 * One label row per sample (a project holds one coding per sample and coder); later rows are
 * reported unless already reported as duplicates. Long videos reach here already split into one
 * sample per expression (`splitExpressions`), so only their true duplicates share a sample.
 */
function labelRowsBySample(opened: OpenedDataset, problems: ImportProblem[]): Map<ScannedSample, LabelRow> {
  const out = new Map<ScannedSample, LabelRow>()
  const reported = new Set(problems.filter((p) => p.code === 'labels/duplicate-row').map((p) => p.row))
  for (const { row, sample, rejected } of opened.matches) {
    // A row reported as an error (frames out of order or outside the clip) is not stored.
    if (!sample || rejected) continue
    const first = out.get(sample)
    if (first) {
      if (reported.has(row.rowNumber)) continue
      problems.push({
        severity: 'warning',
        code: 'labels/duplicate-row',
        message: `Row ${row.rowNumber}: ${sample.subject}/${sample.name} already has row ${first.rowNumber}; only the first row's labels are kept`,
        row: row.rowNumber,
        sample: `${sample.subject}/${sample.name}`,
      })
      continue
    }
    out.set(sample, row)
  }
  return out
}

function labelFields(row: LabelRow, problems: ImportProblem[]): AnnotationFields {
  const aus = parseAus(row.auText)
  for (const message of aus.problems.filter((p) => !p.includes('alternatives'))) {
    problems.push({ severity: 'warning', code: 'labels/bad-row', message: `Row ${row.rowNumber}: AU cell "${row.auText}": ${message}`, row: row.rowNumber, sample: `${row.subject}/${row.sample}` })
  }
  const notes = row.expressionType === 'macro' ? 'macro-expression' : ''
  return {
    onset: row.onset,
    apex: row.apex,
    offset: row.offset,
    aus: aus.value,
    emotion: row.emotion === null ? null : (canonicalEmotion(row.emotion) ?? row.emotion),
    objectiveClass: row.objectiveClass?.trim() ? row.objectiveClass.trim() : null,
    notes,
    confidence: null,
    status: 'done',
  }
}
