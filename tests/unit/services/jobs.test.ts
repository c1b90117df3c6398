import { describe, expect, it } from 'vitest'
import type { JobDone, JobItemError, JobProgress } from '@shared/ipc'
import { JobManager } from '../../../src/main/services/jobs'

function recorder() {
  const events: { progress: JobProgress[]; itemErrors: JobItemError[]; done: JobDone[] } = { progress: [], itemErrors: [], done: [] }
  return { events, sink: { progress: (e: JobProgress) => events.progress.push(e), itemError: (e: JobItemError) => events.itemErrors.push(e), done: (e: JobDone) => events.done.push(e) } }
}

describe('JobManager', () => {
  it('reports progress with ETA and throughput once two items are done', async () => {
    let t = 0
    const { events, sink } = recorder()
    const jobs = new JobManager(sink, () => t)
    const { jobId } = jobs.start('batch', async (ctx) => {
      for (let i = 1; i <= 4; i++) {
        t += 500
        ctx.progress(i, 4)
      }
      return 42
    })
    const done = await jobs.wait(jobId)
    expect(done).toMatchObject({ state: 'completed', done: 4, total: 4, result: 42 })
    expect(events.progress[0]).toMatchObject({ done: 1, etaMs: null, throughput: null })
    expect(events.progress[1]).toMatchObject({ done: 2, etaMs: 1000, throughput: 2 })
    expect(events.progress[3]).toMatchObject({ done: 4, etaMs: 0 })
  })

  it('measures the rate from the first report, so a resumed job is not credited with earlier items', async () => {
    let t = 0
    const { events, sink } = recorder()
    const jobs = new JobManager(sink, () => t)
    const { jobId } = jobs.start('batch', async (ctx) => {
      ctx.progress(40, 100) // resumed: 40 items were done by an earlier run
      t += 1000
      ctx.progress(42, 100)
    })
    await jobs.wait(jobId)
    expect(events.progress[0]).toMatchObject({ done: 40, etaMs: null, throughput: null })
    expect(events.progress[1]).toMatchObject({ done: 42, throughput: 2, etaMs: 29_000 })
  })

  it('keeps going after item errors and counts them', async () => {
    const { events, sink } = recorder()
    const jobs = new JobManager(sink)
    const { jobId } = jobs.start('batch', async (ctx) => {
      ctx.itemError('s1', { code: 'media/corrupt', message: 'truncated' })
      ctx.progress(2, 2)
    })
    expect(await jobs.wait(jobId)).toMatchObject({ state: 'completed', itemErrors: 1 })
    expect(events.itemErrors).toEqual([{ jobId, item: 's1', error: { code: 'media/corrupt', message: 'truncated' } }])
  })

  it('cancels cooperatively and reports a failed job with its error', async () => {
    const jobs = new JobManager(recorder().sink)
    const slow = jobs.start('slow', async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
      ctx.throwIfCancelled()
    })
    expect(jobs.cancel(slow.jobId)).toBe(true)
    expect(await jobs.wait(slow.jobId)).toMatchObject({ state: 'cancelled' })
    expect(jobs.cancel(slow.jobId)).toBe(false)
    const failing = jobs.start('bad', async () => {
      throw new Error('disk full')
    })
    expect(await jobs.wait(failing.jobId)).toMatchObject({ state: 'failed', error: { code: 'internal', message: 'disk full' } })
  })

  it('answers a finished job\'s outcome again (a client that lost its event stream), and forgets the oldest beyond the bound', async () => {
    const { events, sink } = recorder()
    const jobs = new JobManager(sink, Date.now, 2)
    let release = () => {}
    const running = jobs.start('held', () => new Promise<string>((resolve) => (release = () => resolve('late'))))
    expect(jobs.outcome(running.jobId)).toBeNull()
    const ids: string[] = []
    for (const value of ['a', 'b', 'c']) {
      const { jobId } = jobs.start('quick', async () => value)
      await jobs.wait(jobId)
      ids.push(jobId)
    }
    expect(() => jobs.outcome(ids[0]!)).toThrow(/No job/)
    expect(jobs.outcome(ids[2]!)).toEqual(events.done.at(-1))
    expect(jobs.outcome(ids[2]!)).toMatchObject({ state: 'completed', result: 'c' })
    // A running job is never forgotten, whatever finishes around it.
    expect(jobs.list().map((j) => j.jobId)).toEqual([running.jobId, ids[1], ids[2]])
    release()
    expect(await jobs.wait(running.jobId)).toMatchObject({ result: 'late' })
    expect(jobs.list()).toHaveLength(2)
  })
})
