import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { parseSelection, parseShard, formatSelection } from '@shared/domain/batch'
import type { BatchProgress, BatchRequest } from '../../services/batch/batch-service'
import type { PredictorSource } from '../../services/batch/predictor'
import { BatchStore } from '../../services/batch/store'
import { copyProject } from '../../services/project/database'
import { predictionsCsvChunks, writePredictionsCsv } from '../../services/export/predictions'
import { checkExportFile } from '../../services/export/target'
import { EXIT, UsageError, defineCommand, stringOption, type CliIo } from '../command'
import { openBatchRuntime } from './batch-runtime'

const PREDICT_HELP = `Options:
  --project FILE     the project (SQLite) file
  --model M[,M2]     model ids (see the studio's model list), or .onnx files / folders of them with
                     their .card.json beside (e.g. the per-fold models of the models kit)
  --select S         which samples: all (default), or comma-separated terms
                     dataset=NAME, subject=S, emotion=E, coded, uncoded
  --out FILE         write the predictions CSV there (a .csv name, atomically); default: stdout
  --force            replace an existing --out file (checked before the batch runs)
  --provider P       execution provider to try first (cpu, cuda, webgpu, dml, coreml); the one actually
                     used is in the CSV (cpu where the model failed its parity check on P)
  --shard k/N        only the samples of shard k of N (1 ≤ k ≤ N): N machines with k = 1…N cover the
                     selection exactly once (stable hash of dataset, subject and sample)
  --summaries        also record per-frame attention summaries (exported as JSON/XLSX)
  --fresh            start a new job even if an interrupted one ran the same command
  --work FILE        run the job in FILE, a private copy of the project made on the first run, so
                     the project itself is only read (no lock, nothing written): many processes —
                     the tasks of a cluster array — can share one project. Re-running the same
                     command resumes from FILE; FILE is deleted once the batch has completed and
                     its predictions are written

The batch is a job in the project (or the --work copy): every finished prediction is committed, so
re-running the same command after a crash, a kill or Ctrl-C resumes where it stopped (no row repeated
or lost).
A progress line goes to stderr; a sample that fails is reported and the batch goes on (its row has
error_code/error_message). Exit 0 when the batch completed, 1 otherwise.`

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

/** Runs `predict`; `predictors` replaces the inference service (deterministic runs in tests). */
export async function runPredict(values: Record<string, unknown>, io: CliIo, predictors?: PredictorSource): Promise<number> {
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
  if (work && !existsSync(work)) {
    await copyProject(projectPath, work)
    io.stderr(`copied the project to ${workText}: this run reads ${basename(projectPath)} and writes only its copy\n`)
  }
  const runtime = await openBatchRuntime(io, work ?? projectPath, {
    onProgress: progressPrinter(io),
    ...(predictors ? { predictors } : {}),
    // A work copy is scratch: backups of it would only fill the disk beside the shards.
    ...(work ? { keepBackups: 0 } : {}),
  })
  let completed = false
  const interrupt = () => {
    io.stderr('\ninterrupted: finishing the sample in flight; re-run the same command to resume\n')
    for (const job of runtime.batch.jobs()) runtime.batch.cancel(job.jobId)
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    const resumable = values.fresh ? null : runtime.batch.findResumable(request)
    const scope = `${formatSelection(request.selection)}${request.shard ? `, shard ${request.shard.index}/${request.shard.count}` : ''}`
    if (resumable) io.stderr(`resuming job ${resumable.jobId} (${resumable.done} of ${resumable.total} done; ${scope})\n`)
    const { jobId, total } = resumable ? await runtime.batch.resume(resumable.jobId) : await runtime.batch.start(request)
    if (!resumable) io.stderr(`job ${jobId}: ${total} predictions (${scope})\n`)
    const done = await runtime.jobs.wait(jobId)
    if (io.isTty) io.stderr('\n')
    const job = runtime.batch.job(jobId)
    if (done.state !== 'completed') {
      io.stderr(`batch ${done.state}${done.error ? `: ${done.error.message}` : ''} after ${job.done} of ${job.total}; re-run the same command to resume\n`)
      return EXIT.failure
    }
    const store = new BatchStore(runtime.project)
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
    await runtime.close()
    if (completed && work) await rm(work, { force: true })
  }
}

export const predictCommand = defineCommand({
  name: 'predict',
  summary: 'Run one or more models over a project\'s samples as a resumable batch and write the predictions CSV.',
  usage: '--project P --model M[,M2] [--select …] [--out preds.csv] [--provider cpu|cuda|webgpu|…] [--shard k/N] [--work copy.meproj]',
  help: PREDICT_HELP,
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    select: { type: 'string' },
    out: { type: 'string' },
    provider: { type: 'string' },
    shard: { type: 'string' },
    summaries: { type: 'boolean' },
    fresh: { type: 'boolean' },
    work: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  run: ({ values }, io) => runPredict(values, io),
})
