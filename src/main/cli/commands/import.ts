import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DATASET_FORMATS, DATASET_TITLES, type DatasetFormat, type ImportProblem } from '@shared/domain/dataset'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { MediaService } from '../../services/media'
import { importDataset, type DatasetImportResult } from '../../services/project/import'
import { Project } from '../../services/project/project'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'

const FORMAT_CHOICES = ['auto', ...DATASET_FORMATS.filter((f) => f !== 'generic')]
const SHOWN_PROBLEMS = 20

export const run: CommandRun = async ({ values, positionals }, io) => {
  const root = resolve(io.cwd, positionals[0]!)
  const projectPath = resolve(io.cwd, stringOption(values, 'project', true))
  const format = stringOption(values, 'format') ?? 'auto'
  if (!FORMAT_CHOICES.includes(format)) throw new UsageError(`--format must be one of ${FORMAT_CHOICES.join(', ')}`)
  const labels = stringOption(values, 'labels')
  const fpsText = stringOption(values, 'fps')
  const fps = fpsText === undefined ? undefined : Number(fpsText)
  if (fps !== undefined && !(fps > 0)) throw new UsageError(`--fps must be a positive number, got ${fpsText}`)
  const name = stringOption(values, 'name')

  const created = !existsSync(projectPath)
  const project = await Project.open(projectPath, { create: created })
  let imported = false
  try {
    const media = new MediaService({ ffmpeg: () => requireFfmpeg({ env: io.env }) })
    const result = await importDataset(project, media, root, {
      ...(format === 'auto' ? {} : { format: format as DatasetFormat }),
      ...(labels ? { labels: resolve(io.cwd, labels) } : {}),
      ...(fps ? { fps } : {}),
      ...(name ? { name } : {}),
      onProgress: (done, total) => {
        if (io.isTty) io.stderr(`\rscanning ${done}/${total} clips`)
      },
    })
    if (io.isTty) io.stderr('\n')
    imported = true
    io.stdout(values.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result, projectPath))
    return EXIT.ok
  } finally {
    project.close()
    // A project this run created for an import that failed (a wrong folder, an unreadable sheet) is
    // not left behind empty, where a later `predict` would find nothing to do.
    if (created && !imported) await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${projectPath}${suffix}`, { force: true })))
  }
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record).sort(([a], [b]) => a.localeCompare(b))
  return entries.length === 0 ? '—' : entries.map(([k, n]) => `${k} ${n}`).join(', ')
}

function formatSummary(result: DatasetImportResult, projectPath: string): string {
  const s = result.summary
  const errors = result.problems.filter((p) => p.severity === 'error')
  const warnings = result.problems.filter((p) => p.severity === 'warning')
  const lines = [
    `Imported ${result.name} (${DATASET_TITLES[s.format]}) into ${projectPath}`,
    `  samples    ${s.samples} in ${s.subjects} subjects${s.clips === s.samples ? '' : ` from ${s.clips} clips (one sample per labelled expression of a long video)`}`,
    `  labels     ${s.labelRows} rows, ${s.matchedRows} matched a clip, ${result.labelled} stored as "${DATASET_TITLES[s.format]} labels"`,
    `  emotions   ${counts(s.emotions)}`,
    `  MEGC 2019  ${counts(s.megcClasses)}`,
    `  problems   ${errors.length} error(s), ${warnings.length} warning(s)`,
    ...[...errors, ...warnings].slice(0, SHOWN_PROBLEMS).map(formatProblem),
  ]
  if (result.problems.length > SHOWN_PROBLEMS) lines.push(`    … ${result.problems.length - SHOWN_PROBLEMS} more (see --json)`)
  return lines.join('\n') + '\n'
}

function formatProblem(p: ImportProblem): string {
  return `    ${p.severity.padEnd(7)} ${p.code}: ${p.message}`
}
