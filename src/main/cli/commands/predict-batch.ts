/**
 * The body of `me-studio predict`, loaded by `predict.ts` once the studio's workers are starting:
 * options → the project (or its --work copy) → a resumable batch job → the predictions CSV.
 */
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { parseSelection, parseShard, formatSelection } from '@shared/domain/batch'
import { CodingSourceSchema, type BatchReference } from '@shared/domain/coding-source'
import type { BatchProgress, BatchRequest } from '../../services/batch/batch-service'
import type { PredictorSource } from '../../services/batch/predictor'
import { BatchStore } from '../../services/batch/store'
import { copyProject } from '../../services/project/database'
import type { Project } from '../../services/project/project'
import { predictionsCsvChunks, writePredictionsCsv } from '../../services/export/predictions'
import { checkExportFile } from '../../services/export/target'
import { EXIT, UsageError, stringOption, type CliIo } from '../command'
import { commitGroupFromEnv } from '../../services/batch/commit-group'
import { stopStudioWorkers, type StudioWorkers } from '../../workers/studio-workers'
import { openStudio } from './cli-studio'

/** Prints batch progress on stderr: redrawn in place on a terminal, every 5% in a log. */
function progressPrinter(io: CliIo): (p: BatchProgress) => void {
  let lastStep = -1
  return (p) => {
    const pct = p.total === 0 ? 100 : Math.floor((p.done / p.total) * 100)
    const eta = p.etaMs === null ? '' : `, ETA ${formatDuration(p.etaMs)}`
    const rate = p.throughput === null ? '' : `, ${p.throughput.toFixed(2)} predictions/s`
    const line = `${p.state === 'paused' ? 'paused ' : ''}${p.done}/${p.total} (${pct}%)${p.failed ? `, ${p.failed} failed` : ''}${rate}${eta}`
    if (io.isTty) io.stderr(`\r${line}\u001b[K`)
    else if (Math.floor(pct / 5) !== lastStep || p.done === p.total) {
      lastStep = Math.floor(pct / 5)
      io.stderr(`${line}\n`)
    }
  }
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`
}

/** `--coder NAME [--frames-from F]`: the app's "Frames from" for that coder; nothing without --coder. */
function referenceOf(project: Project, coder: string | undefined, framesFrom: string | undefined): BatchReference | undefined {
  if (coder === undefined) {
    if (framesFrom !== undefined) throw new UsageError('--frames-from needs --coder (whose coding "mine" is)')
    return undefined
  }
  const annotator = project.annotatorByName(coder)
  if (!annotator) throw new UsageError(`No coder named "${coder}" in the project (coders: ${project.listAnnotators().map((a) => a.name).join(', ') || 'none'})`)
  const prefer = CodingSourceSchema.safeParse(framesFrom ?? 'adjudicated')
  if (!prefer.success) throw new UsageError(`--frames-from is one of ${CodingSourceSchema.options.join(', ')}, not "${framesFrom}"`)
  return { prefer: prefer.data, annotatorId: annotator.id }
}

/** The options as a batch request and the files named, checked before anything is opened. */
async function prepare(values: Record<string, unknown>, io: CliIo) {
  const projectPath = resolve(io.cwd, stringOption(values, 'project', true))
  const modelRefs = stringOption(values, 'model', true)
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => (/[\\/]|\.onnx$/.test(m) ? resolve(io.cwd, m) : m))
  let request: BatchRequest
  try {
    const shardText = stringOption(values, 'shard')
    request = {
      modelRefs,
      selection: parseSelection(stringOption(values, 'select') ?? 'all'),
      shard: shardText === undefined ? null : parseShard(shardText),
      provider: stringOption(values, 'provider') ?? null,
      summaries: values.summaries === true,
    }
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const outText = stringOption(values, 'out')
  const out = outText === undefined ? undefined : resolve(io.cwd, outText)
  const overwrite = values.force === true
  // Checked before the batch runs: a long run must not end in a refused write.
  if (out) await checkExportFile(out, ['.csv'], overwrite)
  const workText = stringOption(values, 'work')
  const work = workText === undefined ? null : resolve(io.cwd, workText)
  if (work === projectPath) throw new UsageError('--work must be another file than --project')
  return { projectPath, request, out, outText, overwrite, work, workText }
}

/**
 * Runs the batch of `predict` with the studio's `workers` (started by the caller; stopped here if
 * the run fails before the studio takes them); `predictors` replaces the inference service
 * (deterministic runs in tests, no workers).
 */
export async function runBatch(values: Record<string, unknown>, io: CliIo, { predictors, workers }: { predictors?: PredictorSource | undefined; workers?: StudioWorkers | undefined }): Promise<number> {
  let studio: Awaited<ReturnType<typeof openStudio>>
  let prepared: Awaited<ReturnType<typeof prepare>>
  try {
    prepared = await prepare(values, io)
    const { work, workText, projectPath } = prepared
    if (work && !existsSync(work)) {
      await copyProject(projectPath, work)
      io.stderr(`copied the project to ${workText}: this run reads ${basename(projectPath)} and writes only its copy\n`)
    }
    studio = await openStudio(io, { batch: { commitGroup: commitGroupFromEnv(io.env.ME_STUDIO_BATCH_COMMIT), ...(predictors ? { predictors } : {}) }, ...(workers ? { workers } : {}) })
  } catch (error) {
    if (workers) await stopStudioWorkers(workers)
    throw error
  }
  const { request, out, outText, overwrite, work, projectPath } = prepared
  const printProgress = progressPrinter(io)
  studio.bus.subscribe((channel, payload) => {
    if (channel === 'event:batch.progress') printProgress(payload as BatchProgress)
  })
  let completed = false
  const interrupt = () => {
    io.stderr('\ninterrupted: finishing the sample in flight; re-run the same command to resume\n')
    for (const job of studio.batch.jobs()) studio.batch.cancel(job.jobId)
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    // A work copy is scratch: backups of it would only fill the disk beside the shards.
    const { project } = await studio.projects.open(work ?? projectPath, work ? { keepBackups: 0 } : {})
    // Before the resume look-up: the coder's frames are part of the request a job resumes.
    request.selection.reference = referenceOf(project, stringOption(values, 'coder'), stringOption(values, 'frames-from'))
    const resumable = values.fresh ? null : studio.batch.findResumable(request)
    const scope = `${formatSelection(request.selection)}${request.shard ? `, shard ${request.shard.index}/${request.shard.count}` : ''}`
    if (resumable) io.stderr(`resuming job ${resumable.jobId} (${resumable.done} of ${resumable.total} done; ${scope})\n`)
    const { jobId, total } = resumable ? await studio.batch.resume(resumable.jobId) : await studio.batch.start(request)
    if (!resumable) io.stderr(`job ${jobId}: ${total} predictions (${scope})\n`)
    const done = await studio.jobs.wait(jobId)
    if (io.isTty) io.stderr('\n')
    const job = studio.batch.job(jobId)
    if (done.state !== 'completed') {
      io.stderr(`batch ${done.state}${done.error ? `: ${done.error.message}` : ''} after ${job.done} of ${job.total}; re-run the same command to resume\n`)
      return EXIT.failure
    }
    const store = new BatchStore(project)
    for (const e of store.itemErrors(jobId)) io.stderr(`failed: ${e.dataset}/${e.subject}/${e.sample} · ${e.modelId}: ${e.error.message} [${e.error.code}]\n`)
    if (out) {
      const { rows } = await writePredictionsCsv(store, jobId, out, { overwrite })
      io.stderr(`wrote ${rows} rows to ${outText}${job.failed ? ` (${job.failed} failed)` : ''}\n`)
    } else {
      for (const chunk of predictionsCsvChunks(store, jobId)) io.stdout(chunk)
    }
    completed = true
    return EXIT.ok
  } finally {
    process.off('SIGINT', interrupt)
    process.off('SIGTERM', interrupt)
    await studio.dispose()
    if (completed && work) await rm(work, { force: true })
  }
}

