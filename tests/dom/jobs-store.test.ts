import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { useJobsStore } from '../../src/renderer/src/stores/jobs'
import { fakeTransport, installFake } from './helpers/fake-transport'

const done = (jobId: string, result: unknown) => ({ jobId, kind: 'dataset.import', state: 'completed', done: 1, total: 1, itemErrors: 0, result })

describe('jobs store', () => {
  it('catches up with a job that finished while the event stream was down', async () => {
    let finished = false
    const fake = fakeTransport({
      'command:dataset.import': () => ({ jobId: 'j1' }),
      'query:job.outcome': ({ jobId }: { jobId: string }) => (finished ? done(jobId, { samples: 3 }) : null),
    })
    installFake(fake.transport)
    const jobs = useJobsStore()
    let settled: unknown = 'pending'
    void jobs.run('Importing /d', 'dataset.import', () => fake.transport.invoke('command:dataset.import', { root: '/d' })).then((r) => (settled = r))
    await flushPromises()
    // A reconnect while the job still runs: nothing to catch up yet.
    fake.reconnect()
    await flushPromises()
    expect(settled).toBe('pending')
    // The job finishes during a drop: its event:job.done never arrives; the next reconnect asks for it.
    finished = true
    fake.reconnect()
    await flushPromises()
    expect(settled).toEqual({ samples: 3 })
    expect(fake.calls.filter((c) => c.channel === 'query:job.outcome')).toHaveLength(2)
    // A finished job is not asked about again.
    fake.reconnect()
    await flushPromises()
    expect(fake.calls.filter((c) => c.channel === 'query:job.outcome')).toHaveLength(2)
  })
})
