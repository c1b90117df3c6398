import { resolve } from 'node:path'
import { parseSelection } from '@shared/domain/batch'
import { CODES_FORMATS } from '@shared/ipc/channels/annotations'
import { exportCodes } from '../../services/annotations/exchange'
import { BatchStore } from '../../services/batch/store'
import { exportPredictions, PREDICTION_FORMATS, type PredictionFormat } from '../../services/export/predictions'
import { exportTrainingSet, type TrainingLabels } from '../../services/export/training-set'
import { Project } from '../../services/project/project'
import { EXIT, UsageError, stringOption, type CliIo, type CommandRun } from '../command'
import { openStudio } from './cli-studio'

const WHAT = ['annotations', 'predictions', 'training-set'] as const

export const run: CommandRun = async ({ values }, io) => {
  const what = stringOption(values, 'what', true)
  if (!(WHAT as readonly string[]).includes(what)) throw new UsageError(`--what must be one of ${WHAT.join(', ')}`)
  const format = stringOption(values, 'format') ?? 'csv'
  const out = resolve(io.cwd, stringOption(values, 'out', true))
  const project = await Project.open(resolve(io.cwd, stringOption(values, 'project', true)), { keepBackups: 0 })
  try {
    if (what === 'annotations') return await exportAnnotations(project, format, out, values, io)
    if (what === 'predictions') return await exportJobPredictions(project, format, out, values, io)
    return await exportTraining(project, format, out, values, io)
  } finally {
    project.close()
  }
}

async function exportAnnotations(project: Project, format: string, out: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!(CODES_FORMATS as readonly string[]).includes(format)) throw new UsageError(`annotations export as ${CODES_FORMATS.join(', ')}, not ${format}`)
  const datasetText = stringOption(values, 'dataset-id')
  const datasetId = datasetText === undefined ? undefined : Number(datasetText)
  if (datasetId !== undefined && !(Number.isInteger(datasetId) && datasetId > 0)) throw new UsageError(`--dataset-id must be a positive integer, got ${datasetText}`)
  const result = await exportCodes(project, format as (typeof CODES_FORMATS)[number], out, datasetId === undefined ? {} : { datasetId }, { overwrite: values.force === true })
  io.stderr(`wrote ${result.rows} coding rows to ${result.files.length === 1 ? result.files[0] : `${result.files.length} files in ${out}`}\n`)
  return EXIT.ok
}

async function exportJobPredictions(project: Project, format: string, out: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (!(PREDICTION_FORMATS as readonly string[]).includes(format)) throw new UsageError(`predictions export as ${PREDICTION_FORMATS.join(', ')}, not ${format}`)
  const store = new BatchStore(project)
  const jobId = stringOption(values, 'job') ?? store.listJobs()[0]?.jobId
  if (!jobId) throw new UsageError('this project has no batch job yet: run `me-studio predict` first')
  const { rows } = await exportPredictions(store, jobId, format as PredictionFormat, out, { summaries: values.summaries === true, overwrite: values.force === true })
  io.stderr(`wrote ${rows} predictions of job ${jobId} to ${out}\n`)
  return EXIT.ok
}

async function exportTraining(project: Project, format: string, out: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  if (format !== 'csv') throw new UsageError('a training set is written as manifest.csv + .npy inputs: use --format csv')
  const labels = stringOption(values, 'labels') ?? 'megc'
  if (labels !== 'megc' && labels !== 'emotion') throw new UsageError('--labels must be megc or emotion')
  let selection
  try {
    selection = parseSelection(stringOption(values, 'select') ?? 'coded')
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const modelRefs = stringOption(values, 'model', true).split(',').map((m) => m.trim()).filter(Boolean)
  const studio = await openStudio(io)
  const { InferenceInputSource } = await import('../../services/batch/inference-source')
  try {
    const result = await exportTrainingSet(new BatchStore(project), new InferenceInputSource(studio.inference, studio.frames), {
      outDir: out,
      overwrite: values.force === true,
      modelRefs,
      selection,
      labels: labels as TrainingLabels,
      onProgress: (done, total) => {
        if (io.isTty) io.stderr(`\r${done}/${total} samples`)
      },
    })
    if (io.isTty) io.stderr('\n')
    for (const f of result.failed) io.stderr(`failed: ${f.sample} · ${f.modelId}: ${f.error.message} [${f.error.code}]\n`)
    for (const f of result.folders) io.stderr(`wrote ${f.samples} samples for ${f.modelId} to ${f.dir}\n`)
    io.stderr(`skipped ${result.skipped.uncoded} uncoded and ${result.skipped.unlabelled} without a ${labels === 'megc' ? 'MEGC class' : 'label'}\n`)
    return EXIT.ok
  } finally {
    await studio.dispose()
  }
}
