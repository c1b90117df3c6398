import { randomUUID } from 'node:crypto'
import type { JobDone, JobResultOf, JobItemError, JobProgress, JobSummary } from '@shared/ipc'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'

/** Where job events go: the event bus in the app, a progress line in the CLI, an array in tests. */
export interface JobEventSink {
  progress(event: JobProgress): void
  itemError(event: JobItemError): void
  done(event: JobDone): void
}

export interface JobContext {
  readonly jobId: string
  readonly signal: AbortSignal
  /** Report how many of `total` items are finished. */
  progress(done: number, total: number, message?: string): void
  /** Record a failed item; the job goes on. */
  itemError(item: string, error: StudioErrorShape): void
  /** Throws a `cancelled` StudioError when the job was cancelled: call between items. */
  throwIfCancelled(): void
}

interface RunningJob {
  summary: JobSummary
  controller: AbortController
  finished: Promise<JobDone>
  outcome: JobDone | null
}

/** Finished jobs remembered for `list` and `outcome` (a long session starts thousands of small jobs). */
export const FINISHED_JOBS_KEPT = 200

/**
 * Runs long work off the request path with progress, per-item errors, cancellation and ETA.
 * Host-neutral: the sink decides where events go.
 */
export class JobManager {
  private readonly jobs = new Map<string, RunningJob>()

  constructor(
    private readonly sink: JobEventSink,
    private readonly now: () => number = Date.now,
    private readonly finishedKept: number = FINISHED_JOBS_KEPT,
  ) {}

  /** Starts `work` as a job of `kind`; its result is the kind's (`jobResults` in the contract). */
  start<K extends string>(kind: K, work: (ctx: JobContext) => Promise<JobResultOf<K>>, jobId: string = randomUUID()): { jobId: string } {
    if (this.jobs.get(jobId)?.summary.state === 'running') {
      throw new StudioError('conflict', `Job ${jobId} is already running`)
    }
    const controller = new AbortController()
    const summary: JobSummary = {
      jobId,
      kind,
      state: 'running',
      done: 0,
      total: 0,
      itemErrors: 0,
      startedAt: new Date(this.now()).toISOString(),
    }
    // The rate is measured from the first report, so a resumed job's earlier items do not inflate it.
    let baseline: { done: number; ms: number } | null = null
    const ctx: JobContext = {
      jobId,
      signal: controller.signal,
      progress: (done, total, message) => {
        summary.done = done
        summary.total = total
        baseline ??= { done, ms: this.now() }
        this.sink.progress({ jobId, kind, done, total, ...this.rate(baseline, done, total), ...(message ? { message } : {}) })
      },
      itemError: (item, error) => {
        summary.itemErrors += 1
        this.sink.itemError({ jobId, item, error })
      },
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new StudioError('cancelled', 'Cancelled by the user')
      },
    }
    const finished = (async (): Promise<JobDone> => {
      let done: JobDone
      try {
        const result = await work(ctx)
        done = { ...this.tally(summary), state: controller.signal.aborted ? 'cancelled' : 'completed', result }
      } catch (error) {
        const cancelled = controller.signal.aborted || (error instanceof StudioError && error.code === 'cancelled')
        const shape = error instanceof StudioError ? error.toShape() : { code: 'internal' as const, message: String((error as Error)?.message ?? error) }
        done = cancelled ? { ...this.tally(summary), state: 'cancelled' } : { ...this.tally(summary), state: 'failed', error: shape }
      }
      summary.state = done.state
      const record = this.jobs.get(jobId)
      if (record) record.outcome = done
      this.forgetOldest()
      this.sink.done(done)
      return done
    })()
    this.jobs.set(jobId, { summary, controller, finished, outcome: null })
    return { jobId }
  }

  /** The job's final event, null while it runs; `not-found` once forgotten (or never started). */
  outcome(jobId: string): JobDone | null {
    const job = this.jobs.get(jobId)
    if (!job) throw new StudioError('not-found', `No job ${jobId} (finished jobs are kept for the last ${this.finishedKept})`)
    return job.outcome
  }

  /** Drops the oldest finished jobs beyond the bound; running ones are always kept. */
  private forgetOldest(): void {
    let finished = 0
    for (const job of this.jobs.values()) if (job.outcome) finished += 1
    for (const [id, job] of this.jobs) {
      if (finished <= this.finishedKept) break
      if (!job.outcome) continue
      this.jobs.delete(id)
      finished -= 1
    }
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId)
    if (!job || job.summary.state !== 'running') return false
    job.controller.abort()
    return true
  }

  list(): JobSummary[] {
    return [...this.jobs.values()].map((j) => ({ ...j.summary }))
  }

  /** Resolves when the job has finished (any state). */
  wait(jobId: string): Promise<JobDone> {
    const job = this.jobs.get(jobId)
    if (!job) return Promise.reject(new StudioError('not-found', `No job ${jobId}`))
    return job.finished
  }

  private tally(summary: JobSummary) {
    return { jobId: summary.jobId, kind: summary.kind, done: summary.done, total: summary.total, itemErrors: summary.itemErrors }
  }

  private rate(baseline: { done: number; ms: number }, done: number, total: number) {
    const elapsed = this.now() - baseline.ms
    const progressed = done - baseline.done
    if (progressed < 1 || elapsed <= 0) return { etaMs: null, throughput: null }
    const perItem = elapsed / progressed
    return { etaMs: Math.max(0, Math.round(perItem * (total - done))), throughput: (progressed * 1000) / elapsed }
  }
}
