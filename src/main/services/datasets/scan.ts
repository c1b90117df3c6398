import { stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import {
  DATASET_TITLES,
  DEFAULT_FPS,
  megcClassOf,
  type DatasetFormat,
  type DatasetScan,
  type DatasetSummary,
  type ImportProblem,
  type LabelSheet,
  type ScannedSample,
} from '@shared/domain/dataset'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'
import type { MediaService } from '../media/media-service'
import { findClips, guessLayout, identifyClip } from './layout'
import { labelsFromFolders, readLabelFile } from './labels'
import { splitExpressions } from './expressions'
import { validateLabels, type LabelMatch } from './validate'

export interface ScanOptions {
  /** Force a layout instead of recognising it. */
  format?: DatasetFormat
  /** Override the layout's frame rate (image folders carry none; videos keep theirs unless set). */
  fps?: number
  signal?: AbortSignal
  /** Called after each clip is opened. */
  onProgress?: (done: number, total: number, item: string) => void
  /** Called for each clip that cannot be read (it is also in the problems). */
  onClipError?: (sample: string, error: StudioErrorShape) => void
}

/**
 * Opens a folder as a dataset: finds videos and image-sequence folders, recognises the layout,
 * and opens every clip (videos are indexed: exact frame counts). A clip that cannot be read is a
 * problem in the report, never a failure of the whole scan. Source files are only read.
 */
export async function scanDataset(root: string, media: MediaService, options: ScanOptions = {}): Promise<DatasetScan & { labelFile: string | null; reason: string }> {
  const absoluteRoot = resolve(root)
  const info = await stat(absoluteRoot).catch(() => null)
  if (!info?.isDirectory()) throw new StudioError('not-found', `Not a folder: ${root}`)
  const clips = await findClips(absoluteRoot, options.signal)
  const guess = await guessLayout(absoluteRoot, clips)
  const format = options.format ?? guess.format
  const problems: ImportProblem[] = []
  if (!options.format && !guess.recognised) {
    problems.push({ severity: 'warning', code: 'dataset/format-guessed', message: `No known dataset layout recognised in ${absoluteRoot}; opened as a generic folder` })
  }
  const fps = options.fps ?? (format === 'generic' ? undefined : DEFAULT_FPS[format])
  const rootName = basename(absoluteRoot)
  const samples: ScannedSample[] = []
  const seen = new Map<string, string>()
  const identified = clips.flatMap((clip) => {
    const identity = identifyClip(clip, format, rootName)
    return identity ? [{ clip, identity }] : []
  })
  // Frame folders first: when a dataset ships both frames and the source video (CAS(ME)²), the frames win.
  identified.sort((a, b) => (a.clip.kind === b.clip.kind ? 0 : a.clip.kind === 'frames' ? -1 : 1))
  let done = 0
  for (const { clip, identity } of identified) {
    if (options.signal?.aborted) throw new StudioError('cancelled', 'Dataset scan cancelled')
    const key = `${identity.subject}/${identity.name}`
    const duplicateOf = seen.get(key)
    try {
      if (duplicateOf) continue
      const opened = await media.open(clip.path, { ...(fps ? { fps } : {}), signal: options.signal })
      seen.set(key, clip.path)
      samples.push({ dataset: format, subject: identity.subject, name: identity.name, clip: opened, ...(identity.folderLabel ? { folderLabel: identity.folderLabel } : {}) })
      for (const warning of await media.warnings(clip.path)) {
        problems.push({ severity: 'warning', code: 'dataset/unreadable-clip', message: `${key}: ${warning}`, sample: key })
      }
      const gaps = countGaps(opened.frameNumbers)
      if (opened.kind === 'frames' && gaps > 0) {
        problems.push({ severity: 'warning', code: 'dataset/dropped-frames', message: `${key}: ${gaps} frame number(s) missing between ${opened.frameNumbers[0]} and ${opened.frameNumbers.at(-1)}`, sample: key })
      }
    } catch (error) {
      if (error instanceof StudioError && error.code === 'cancelled') throw error
      const shape: StudioErrorShape = error instanceof StudioError ? { code: error.code, message: error.message } : { code: 'internal', message: String((error as Error).message ?? error) }
      problems.push({ severity: 'error', code: 'dataset/unreadable-clip', message: `${key} skipped [${shape.code}]: ${shape.message}`, sample: key })
      options.onClipError?.(key, shape)
    } finally {
      options.onProgress?.(++done, identified.length, key)
    }
  }
  if (samples.length === 0) problems.push({ severity: 'error', code: 'dataset/empty-folder', message: `No readable videos or image sequences in ${absoluteRoot}` })
  const datasetFps = fps ?? samples[0]?.clip.fps ?? 30
  return { root: absoluteRoot, format, fps: datasetFps, samples, problems, labelFile: guess.labelFile, reason: options.format ? `format chosen: ${DATASET_TITLES[format]}` : guess.reason }
}

function countGaps(frameNumbers: number[]): number {
  let gaps = 0
  for (let i = 1; i < frameNumbers.length; i++) gaps += frameNumbers[i]! - frameNumbers[i - 1]! - 1
  return gaps
}

export interface OpenDatasetOptions extends ScanOptions {
  /** Label file to read instead of the one found in the dataset folder. */
  labels?: string
}

export interface OpenedDataset {
  /**
   * The scan, its `samples` being what an import stores: one per clip, except that a labelled
   * clip of a long-video dataset is one sample per expression (`splitExpressions`).
   */
  scan: DatasetScan
  labels: LabelSheet | null
  matches: LabelMatch[]
  /** Scan, label-sheet and validation problems together. */
  problems: ImportProblem[]
  summary: DatasetSummary
  /** Why the format was chosen. */
  reason: string
}

/**
 * Scan + labels + validation: what an import shows before it writes anything. Labels come from
 * `options.labels`, else the label file found in the dataset, else SMIC's folder names.
 */
export async function openDataset(root: string, media: MediaService, options: OpenDatasetOptions = {}): Promise<OpenedDataset> {
  const { labelFile, reason, ...scan } = await scanDataset(root, media, options)
  const labelPath = options.labels ?? labelFile
  let labels: LabelSheet | null = null
  if (labelPath) {
    try {
      labels = await readLabelFile(labelPath, scan.format)
    } catch (error) {
      // A label file the caller named must be usable: failing to read it fails the open.
      if (options.labels) throw error
      const message = error instanceof StudioError ? error.message : String((error as Error).message ?? error)
      labels = { path: labelPath, format: scan.format, rows: [], problems: [{ severity: 'error', code: 'labels/unreadable', message }] }
    }
    const noHeader = labels.problems.find((p) => p.code === 'labels/no-header')
    if (options.labels && noHeader) throw new StudioError('labels/malformed', noHeader.message)
  } else if (scan.format === 'smic') {
    labels = labelsFromFolders(scan.samples, scan.format)
  }
  const validation = labels ? validateLabels(scan.samples, labels.rows) : { matches: [], problems: [] }
  const split = splitExpressions(scan.format, scan.samples, validation.matches)
  const problems = [...scan.problems, ...(labels?.problems ?? []), ...validation.problems, ...split.problems]
  const emotions: Record<string, number> = {}
  const megcClasses: Record<string, number> = {}
  let matchedRows = 0
  // Emotions count what is stored: a duplicate row is matched but not stored again.
  const duplicates = new Set(problems.filter((p) => p.code === 'labels/duplicate-row').map((p) => p.row))
  for (const { row, sample, rejected } of split.matches) {
    if (!sample) continue
    matchedRows++
    if (rejected || duplicates.has(row.rowNumber)) continue
    if (row.emotion) emotions[row.emotion] = (emotions[row.emotion] ?? 0) + 1
    const megc = megcClassOf(row.emotion)
    if (megc) megcClasses[megc] = (megcClasses[megc] ?? 0) + 1
  }
  return {
    scan: { ...scan, samples: split.samples },
    labels,
    matches: split.matches,
    problems,
    reason,
    summary: {
      format: scan.format,
      samples: split.samples.length,
      clips: scan.samples.length,
      subjects: new Set(scan.samples.map((s) => s.subject)).size,
      labelRows: labels?.rows.length ?? 0,
      matchedRows,
      emotions,
      megcClasses,
      errors: problems.filter((p) => p.severity === 'error').length,
      warnings: problems.filter((p) => p.severity === 'warning').length,
    },
  }
}
