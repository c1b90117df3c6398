import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { JobDone, JobItemError, JobProgress, JobResultOf } from '@shared/ipc'
import { StudioError } from '@shared/ipc'
import { useTransport } from '../transport'

export interface TrackedJob {
  jobId: string
  kind: string
  /** What the user started, in words ("Creating the demo project"). */
  title: string
  done: number
  total: number
  message: string | null
  itemErrors: JobItemError[]
  result: JobDone | null
}

/**
 * Long jobs started from the UI (demo project, imports, exports): progress, per-item errors and
 * the outcome, from the `event:job.*` events. `run` starts a job and resolves with its result.
 */
export const useJobsStore = defineStore('jobs', () => {
  const transport = useTransport()
  const jobs = ref<TrackedJob[]>([])
  const waiters = new Map<string, (done: JobDone) => void>()
  /** Events of jobs whose start call has not returned yet (fast jobs can finish first). */
  const early = new Map<string, JobDone>()

  const find = (jobId: string) => jobs.value.find((j) => j.jobId === jobId)

  transport.on('event:job.progress', (p: JobProgress) => {
    const job = find(p.jobId)
    if (!job) return
    job.done = p.done
    job.total = p.total
    job.message = p.message ?? null
  })
  transport.on('event:job.item-error', (e: JobItemError) => find(e.jobId)?.itemErrors.push(e))
  transport.on('event:job.done', (d: JobDone) => {
    const job = find(d.jobId)
    if (!job) {
      early.set(d.jobId, d)
      return
    }
    finish(job, d)
  })

  // Events sent while the bridge's stream was down are lost: ask for the outcome of every job still awaited.
  transport.onReconnect(() => void catchUp())

  async function catchUp(): Promise<void> {
    for (const job of jobs.value.filter((j) => j.result === null)) {
      const outcome = await transport.invoke('query:job.outcome', { jobId: job.jobId }).catch(() => null)
      if (outcome && job.result === null) finish(job, outcome)
    }
  }

  function finish(job: TrackedJob, done: JobDone): void {
    job.result = done
    job.done = done.done
    job.total = done.total
    waiters.get(job.jobId)?.(done)
    waiters.delete(job.jobId)
  }

  /** Starts a job (`start` calls the command that returns `{ jobId }`) and resolves with its result; rejects when it fails. */
  async function run<K extends string>(title: string, kind: K, start: () => Promise<{ jobId: string }>): Promise<JobResultOf<K>> {
    const { jobId } = await start()
    const job: TrackedJob = { jobId, kind, title, done: 0, total: 0, message: null, itemErrors: [], result: null }
    jobs.value.push(job)
    const tracked = find(jobId)!
    const finished = new Promise<JobDone>((resolve) => waiters.set(jobId, resolve))
    const already = early.get(jobId)
    if (already) {
      early.delete(jobId)
      finish(tracked, already)
    }
    const done = await finished
    if (done.state === 'failed') throw new StudioError(done.error?.code ?? 'internal', done.error?.message ?? `${title} failed`)
    if (done.state === 'cancelled') throw new StudioError('cancelled', `${title} was cancelled`)
    // Typed by the kind's schema in the contract (`jobResults`), which the main side checks as it emits the event.
    return done.result as JobResultOf<K>
  }

  async function cancel(jobId: string): Promise<void> {
    await transport.invoke('command:job.cancel', { jobId })
  }

  return { jobs, run, cancel }
})
