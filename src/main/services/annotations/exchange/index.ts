import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Project } from '../../project/project'
import type { CodingService } from '../coding'
import { writeFileAtomic } from '../../fs-atomic'
import { checkExportFile, checkExportFolder } from '../../export/target'
import { codesToCsv } from './csv'
import { codesToEaf, eafPlaceable } from './eaf'
import type { CodesFormat } from './read'
import { applyCodingRows, collectCodingRows, type CodesImportResult, type CodingRow, type ExportSelection } from './rows'
import { codesToXlsx } from './xlsx'
import { runSheetTask } from '../../../workers/sheet-host'

export interface CodesExportResult {
  /** Files written: one for csv/xlsx, one per sample for eaf. */
  files: string[]
  rows: number
  /** Codings left out (eaf: no onset/offset to place on the timeline). */
  skipped: number
}

export interface CodesExportOptions {
  /** Replace an existing file (csv/xlsx), or write into a non-empty folder (eaf); otherwise `export/target-exists`. */
  overwrite?: boolean
}

/**
 * Exports codes atomically. csv/xlsx: `target` is the file (with that extension); eaf: `target` is a
 * new or empty folder that gets one `<subject>_<sample>.eaf` per sample with codes.
 */
export async function exportCodes(project: Project, format: CodesFormat, target: string, selection: ExportSelection = {}, options: CodesExportOptions = {}): Promise<CodesExportResult> {
  const overwrite = options.overwrite ?? false
  if (format === 'eaf') await checkExportFolder(target, overwrite)
  else await checkExportFile(target, [`.${format}`], overwrite)
  const rows = collectCodingRows(project, selection)
  if (format === 'csv') {
    await writeFileAtomic(target, codesToCsv(rows), { overwrite })
    return { files: [target], rows: rows.length, skipped: 0 }
  }
  if (format === 'xlsx') {
    await writeFileAtomic(target, await codesToXlsx(rows), { overwrite })
    return { files: [target], rows: rows.length, skipped: 0 }
  }
  await mkdir(target, { recursive: true })
  const bySample = new Map<string, CodingRow[]>()
  for (const r of rows) {
    const key = JSON.stringify([r.dataset, r.subject, r.sample])
    bySample.set(key, [...(bySample.get(key) ?? []), r])
  }
  const datasets = project.listDatasets()
  const files: string[] = []
  const names = new Set<string>()
  let skipped = 0
  for (const group of bySample.values()) {
    const placeable = group.filter(eafPlaceable)
    skipped += group.length - placeable.length
    if (placeable.length === 0) continue
    const first = group[0]!
    const dataset = datasets.find((d) => d.name === first.dataset)!
    const sample = project.sampleByName(dataset.id, first.subject, first.sample)!
    const file = join(target, `${uniqueName(names, safeFileName(`${first.subject}_${first.sample}`))}.eaf`)
    const xml = codesToEaf(
      {
        dataset: first.dataset,
        subject: first.subject,
        sample: first.sample,
        fps: sample.clip.fps,
        firstFrame: sample.firstFrame ?? 0,
        mediaPath: sample.clip.kind === 'video' ? sample.clip.path : undefined,
      },
      placeable,
    )
    await writeFileAtomic(file, xml, { overwrite })
    files.push(file)
  }
  return { files, rows: rows.length - skipped, skipped }
}

export interface CodesImportOptions {
  /** Match samples in this dataset (otherwise by the dataset name in the file). */
  datasetId?: number | undefined
  /** xlsx sheets without ME Studio's index sheet: the coder they belong to. */
  coder?: string | undefined
}

/**
 * Imports codes from a csv/xlsx file, an .eaf file or a folder of .eaf files, in one transaction.
 * The file is read in the sheet worker (streaming, within the sheet limits), off the event loop.
 */
export async function importCodes(project: Project, coding: CodingService, source: string, options: CodesImportOptions = {}): Promise<CodesImportResult> {
  const { format, rows, ignored } = await runSheetTask('codes', { source, coder: options.coder })
  const result = applyCodingRows(project, coding, rows, { format, datasetId: options.datasetId })
  // What the file holds beyond the codings read (ELAN tiers, extra annotations, unknown value parts) is said, not dropped.
  result.problems.unshift(...ignored.map((message) => ({ severity: 'warning' as const, code: 'labels/ignored-content' as const, message })))
  return result
}

function safeFileName(name: string): string {
  return name.replace(/[\\/:*?"<>|\s]+/g, '_')
}

/** Two samples whose names differ only in characters `safeFileName` replaces must not share a file. */
function uniqueName(taken: Set<string>, base: string): string {
  let name = base
  for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`
  taken.add(name.toLowerCase())
  return name
}

export type { CodesImportResult, CodingRow, ExportSelection } from './rows'
export type { CodesFormat } from './read'
