import { availableParallelism } from 'node:os'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'
import type { BatchSelection, Shard } from '@shared/domain/batch'
import type { JobContext, JobManager } from '../jobs'
import type { Project } from '../project/project'
import { CommitGroup, DEFAULT_COMMIT_GROUP, type CommitGroupLimits } from './commit-group'
import { SampleScope, type Predictor, type PredictorSource } from './predictor'
import { BATCH_JOB_KIND, BatchStore, type BatchJobRecord, type BatchOutcome, type PendingItem } from './store'

export interface BatchRequest {
  modelRefs: string[]
  selection: BatchSelection
  shard?: Shard | null
  /** Execution provider override (`cpu`, `cuda`, …); the inference service's order otherwise. */
  provider?: string | null
  /** Also record per-frame/per-channel attention summaries (exported as JSON/XLSX on request). */
  summaries?: boolean
}

/** Progress of a batch as this process measures it (rate over the items run since it (re)started). */
export interface BatchProgress {
  jobId: string
  state: 'running' | 'paused'
  done: number
  total: number
  failed: number
  etaMs: number | null
  /** Items per second since this run started (a resumed job does not count its earlier items). */
  throughput: number | null
}

export interface BatchServiceOptions {
  jobs: JobManager
  predictors: PredictorSource
  /** The open project (throws `not-found` when none is). */
  project: () => Project
  onProgress?: (progress: BatchProgress) => void
  /**
   * Samples in flight at once. Default: twice the CPU count, at most 8 — a sample spends most of
   * its time waiting on a worker (decode, prepare, flow, assemble, model), so with one lane per
   * core the cores sat idle between its steps (2 cores, STSTNet: 2 → 4 lanes, 1.15–1.35× faster).
   */
  concurrency?: number
  /** Group commit of finished items (see `CommitGroup`). Default: 64 items or 250 ms. */
  commitGroup?: CommitGroupLimits
  now?: () => number
}

/** Resolves when not paused; a pause holds the batch between two items. */
class PauseGate {
  private release: (() => void) | null = null
  private gate: Promise<void> | null = null

  get paused(): boolean {
    return this.gate !== null
  }

  pause(): void {
    this.gate ??= new Promise<void>((resolve) => (this.release = resolve))
  }

  resume(): void {
    this.release?.()
    this.gate = this.release = null
  }

  async wait(signal: AbortSignal): Promise<void> {
    if (!this.gate || signal.aborted) return
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    await Promise.race([this.gate, aborted])
  }
}

/**
 * Runs models over a selection of a project's samples as a resumable job: the work list and
 * every finished prediction live in the project file (see `BatchStore`), samples are streamed a
 * few at a time (`concurrency`; no tensors are kept), a failing sample is recorded and the batch goes on, and
 * a job interrupted by a crash, a quit, a cancel or a pause continues where it stopped.
 */
export class BatchService {
  private readonly gates = new Map<string, PauseGate>()
  /** The commit group of each running job, so pause and cancel can commit it at once. */
  private readonly groups = new Map<string, CommitGroup>()
  private readonly now: () => number
  private readonly concurrency: number

  constructor(private readonly options: BatchServiceOptions) {
    this.now = options.now ?? Date.now
    this.concurrency = Math.max(1, options.concurrency ?? Math.min(8, 2 * availableParallelism()))
  }

  private store(): BatchStore {
    return new BatchStore(this.options.project())
  }

  /** Creates the job in the project (its whole work list) and starts it. */
  async start(request: BatchRequest): Promise<{ jobId: string; total: number }> {
    if (request.modelRefs.length === 0) throw new StudioError('invalid-input', 'Choose at least one model')
    const predictors = await this.options.predictors.resolve(request.modelRefs, { provider: request.provider ?? undefined })
    const store = this.store()
    const job = store.createJob(
      {
        selection: request.selection,
        shard: request.shard ?? null,
        modelRefs: request.modelRefs,
        provider: request.provider ?? null,
        summaries: request.summaries ?? false,
      },
      predictors.map((p) => p.model),
    )
    this.launch(store, job, predictors)
    return { jobId: job.jobId, total: job.total }
  }

  /**
   * The unfinished job (interrupted, paused or cancelled) that ran exactly this request, if any:
   * re-running a command after a crash continues it instead of starting over.
   */
  findResumable(request: BatchRequest): BatchJobRecord | null {
    const wanted = JSON.stringify(comparable(request))
    return this.store().listJobs().find((job) => job.state !== 'completed' && !this.gates.has(job.jobId) && JSON.stringify(comparable(job.params)) === wanted) ?? null
  }

  /** Continues an interrupted, paused or cancelled job from its first unfinished item. */
  async resume(jobId: string): Promise<{ jobId: string; total: number }> {
    const gate = this.gates.get(jobId)
    if (gate) {
      gate.resume()
      return { jobId, total: this.store().job(jobId).total }
    }
    const store = this.store()
    const job = store.job(jobId)
    if (job.state === 'completed') return { jobId, total: job.total }
    const predictors = await this.options.predictors.resolve(job.params.modelRefs, { provider: job.params.provider ?? undefined })
    job.params.modelRowIds.forEach((rowId, i) => {
      const expected = store.modelSha256(rowId)
      const actual = predictors[i]!.model.sha256
      if (expected !== actual) {
        throw new StudioError(
          'conflict',
          `Model ${job.params.modelRefs[i]} has changed since this batch started (sha256 ${actual.slice(0, 12)}…, the batch used ${expected.slice(0, 12)}…); start a new batch`,
        )
      }
    })
    this.launch(store, job, predictors)
    return { jobId, total: job.total }
  }

  /** Holds a running job between two items; `resume` lets it go on. The pause survives a restart. */
  pause(jobId: string): boolean {
    const gate = this.gates.get(jobId)
    if (!gate || gate.paused) return false
    gate.pause()
    this.groups.get(jobId)?.flush()
    this.store().setState(jobId, 'paused')
    return true
  }

  cancel(jobId: string): boolean {
    this.groups.get(jobId)?.flush()
    this.gates.get(jobId)?.resume()
    return this.options.jobs.cancel(jobId)
  }

  /**
   * Commits the finished items every running job holds in its commit group, now (the studio does
   * it before closing the project on quit, so a resumed batch recomputes none of them). A group
   * that fails to commit keeps its items pending: the resume recomputes those.
   */
  flushCommits(): void {
    for (const group of this.groups.values()) {
      try {
        group.flush()
      } catch {
        // left pending (see above)
      }
    }
  }

  isActive(jobId: string): boolean {
    return this.gates.has(jobId)
  }

  isPaused(jobId: string): boolean {
    return this.gates.get(jobId)?.paused ?? false
  }

  jobs(): BatchJobRecord[] {
    return this.store().listJobs()
  }

  job(jobId: string): BatchJobRecord {
    return this.store().job(jobId)
  }

  private launch(store: BatchStore, job: BatchJobRecord, predictors: Predictor[]): void {
    const gate = new PauseGate()
    this.gates.set(job.jobId, gate)
    store.setState(job.jobId, 'running')
    this.options.jobs.start(
      BATCH_JOB_KIND,
      async (ctx) => {
        try {
          await this.run(store, job, predictors, ctx, gate)
          store.setState(job.jobId, ctx.signal.aborted ? 'cancelled' : 'completed')
          const final = store.job(job.jobId)
          return { jobId: job.jobId, total: final.total, done: final.done, failed: final.failed }
        } catch (error) {
          const cancelled = ctx.signal.aborted
          // A closed project keeps the job as it was ("running" = interrupted): it resumes when reopened.
          if (this.isOpen(store)) store.setState(job.jobId, cancelled ? 'cancelled' : 'failed', cancelled ? undefined : errorShape(error))
          throw error
        } finally {
          this.gates.delete(job.jobId)
        }
      },
      job.jobId,
    )
  }

  private async run(store: BatchStore, job: BatchJobRecord, predictors: Predictor[], ctx: JobContext, gate: PauseGate): Promise<void> {
    const byRow = new Map(job.params.modelRowIds.map((rowId, i) => [rowId, predictors[i]!]))
    const startedMs = this.now()
    let done = job.done
    let failed = job.failed
    let ranHere = 0
    const report = (state: BatchProgress['state']) => {
      const elapsed = this.now() - startedMs
      const rate = ranHere >= 1 && elapsed > 0 ? (ranHere * 1000) / elapsed : null
      ctx.progress(done, job.total)
      this.options.onProgress?.({
        jobId: job.jobId,
        state,
        done,
        total: job.total,
        failed,
        throughput: rate,
        etaMs: rate ? Math.round(((job.total - done) / rate) * 1000) : null,
      })
    }
    report('running')
    const group = new CommitGroup((results) => store.recordResults(job.jobId, results), this.options.commitGroup ?? DEFAULT_COMMIT_GROUP)
    this.groups.set(job.jobId, group)
    // Lanes take whole samples (all models of one sample in a row, so models on the same recipe
    // reuse its features) and run side by side: decoding, flow on the vision workers, inference
    // and commits overlap. At most `concurrency` samples are in flight, whatever the dataset size.
    const samples = groupBySample(store.pendingItems(job.jobId))
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < samples.length) {
        if (gate.paused) {
          group.flush()
          report('paused')
          await gate.wait(ctx.signal)
          if (!ctx.signal.aborted && this.gates.get(job.jobId) === gate) store.setState(job.jobId, 'running')
        }
        if (ctx.signal.aborted) return
        if (!this.isOpen(store)) throw projectClosed()
        const items = samples[next++]!
        // What the sample's models share lives as long as this loop: nothing of a finished sample is kept.
        const scope = new SampleScope()
        for (const item of items) {
          const predictor = byRow.get(item.modelRowId)
          if (!predictor) throw new StudioError('internal', `Job ${job.jobId} has an item for model row ${item.modelRowId}, which the job does not list`)
          const outcome = await this.runItem(store, job, item, predictor, scope, ctx)
          if (outcome === null) return
          group.add({ item, model: predictor.model, outcome })
          done += 1
          ranHere += 1
          if (!outcome.ok) failed += 1
          report('running')
        }
      }
    }
    try {
      await Promise.all(Array.from({ length: this.concurrency }, lane))
    } finally {
      this.groups.delete(job.jobId)
      // Whatever way the lanes ended, the finished items are committed — unless the project is gone
      // (they stay pending and are recomputed when it is open again).
      if (this.isOpen(store)) group.flush()
      else group.discard()
    }
    group.rethrow()
  }

  /** Whether the job's project is still the open one (the user may close or switch projects mid-batch). */
  private isOpen(store: BatchStore): boolean {
    try {
      return this.options.project() === store.project && store.project.database.db.open
    } catch {
      return false
    }
  }

  /** Predicts one item: its outcome to commit (a prediction or the error), null when cancelled mid-item (left pending). */
  private async runItem(store: BatchStore, job: BatchJobRecord, item: PendingItem, predictor: Predictor, scope: SampleScope, ctx: JobContext): Promise<BatchOutcome | null> {
    const model = predictor.model
    let label = `sample ${item.sampleId} · ${model.id}`
    try {
      const sample = store.sample(item.sampleId, job.params.selection.reference)
      label = `${sample.dataset}/${sample.subject}/${sample.name} · ${model.id}`
      const prediction = await predictor.predictSample(sample, { signal: ctx.signal, summaries: job.params.summaries, scope })
      if (ctx.signal.aborted) return null
      if (prediction.probabilities.length !== model.classes.length || prediction.probabilities.some((p) => !Number.isFinite(p))) {
        throw new StudioError('model/run-failed', `${model.id} returned ${prediction.probabilities.length} scores (non-finite or not one per class)`)
      }
      return { ok: true, prediction, predictedClass: model.classes[argmax(prediction.probabilities)]! }
    } catch (error) {
      if (ctx.signal.aborted) return null
      if (!this.isOpen(store)) throw projectClosed()
      const shape = errorShape(error)
      ctx.itemError(label, shape)
      return { ok: false, error: shape, provider: job.params.provider ?? '' }
    }
  }
}

function projectClosed(): StudioError {
  return new StudioError('cancelled', 'The project was closed: the batch stopped and resumes from the same place when the project is open again')
}

function comparable(request: BatchRequest) {
  const { dataset = null, subject = null, emotion = null, coded, reference = null } = request.selection
  return {
    models: request.modelRefs,
    selection: { dataset, subject, emotion, coded, reference },
    shard: request.shard ?? null,
    provider: request.provider ?? null,
    summaries: request.summaries ?? false,
  }
}

/** Consecutive items of the same sample (the work list is sample-major). */
function groupBySample(items: PendingItem[]): PendingItem[][] {
  const groups: PendingItem[][] = []
  for (const item of items) {
    const last = groups[groups.length - 1]
    if (last && last[0]!.sampleId === item.sampleId) last.push(item)
    else groups.push([item])
  }
  return groups
}

function argmax(values: readonly number[]): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

function errorShape(error: unknown): StudioErrorShape {
  if (error instanceof StudioError) return error.toShape()
  return { code: 'model/run-failed', message: error instanceof Error ? error.message : String(error) }
}
