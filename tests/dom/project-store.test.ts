import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'

const dataset = { id: 1, name: 'demo', root: '/d', format: 'casme2', fps: 200, labelsPath: null, importedAt: 't', problems: [], sampleCount: 2, subjectCount: 1 }
const coder = { id: 3, name: 'Ana', initials: '', role: 'coder', createdAt: 't' }
const labels = { id: 2, name: 'CASME II labels', initials: '', role: 'dataset', createdAt: 't' }
const info = { path: '/p/demo.mestudio', name: 'demo', schemaVersion: 2, blindMode: false, backupPath: null, datasets: [dataset], annotators: [labels, coder] }
const summary = (id: number, name: string) => ({
  id, datasetId: 1, subject: 'sub01', name, clipKind: 'frames', fps: 200, frameCount: 10, firstFrame: 1, lastFrame: 10, status: 'uncoded', coders: 0, mine: null, datasetLabel: null,
})
const record = (id: number) => ({
  id, datasetId: 1, subject: 'sub01', name: `EP0${id}`, firstFrame: 1, lastFrame: 10, folderLabel: null,
  clip: { kind: 'frames', path: '/d/sub01/EP0 1', fps: 200, frameCount: 10, width: 4, height: 4, frameNumbers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
})

/** `reopened`: the back end already has the project open, as after a page reload. */
function setup(reopened = false, opens: 'fails' | 'succeeds' = 'fails') {
  let open: typeof info | null = reopened ? info : null
  let jobs = 0
  const fake = fakeTransport({
    'query:project.current': () => open,
    'command:project.create-demo': () => {
      open = info
      const jobId = `job-${++jobs}`
      // The job finishes after the start call returns, as the real job manager does.
      setTimeout(() => fake.emit('event:job.done', { jobId, kind: 'project.create-demo', state: 'completed', done: 2, total: 2, itemErrors: 0, result: { projectPath: '/demo/demo.meproj', created: true } }), 0)
      return { jobId }
    },
    'command:project.open-dataset': () => {
      const jobId = `job-${++jobs}`
      if (opens === 'succeeds') {
        open = info
        setTimeout(() => fake.emit('event:job.done', { jobId, kind: 'project.open-dataset', state: 'completed', done: 1, total: 1, itemErrors: 0, result: { projectPath: '/x/x.meproj', created: true } }), 0)
      } else {
        setTimeout(() => fake.emit('event:job.done', { jobId, kind: 'project.open-dataset', state: 'failed', done: 0, total: 0, itemErrors: 0, error: { code: 'dataset/unrecognised', message: 'Nothing to import from /x' } }), 0)
      }
      return { jobId }
    },
    'query:samples.window': ({ filter, sampleId }: { filter: { subject?: string }; sampleId?: number }) => {
      const rows = filter.subject === 'nobody' ? [] : [summary(11, 'EP01'), summary(12, 'EP02')]
      const at = rows.findIndex((r) => r.id === sampleId)
      return {
        total: rows.length,
        offset: 0,
        rows,
        facets: { counts: { uncoded: rows.length, coded: 0, disputed: 0, adjudicated: 0 }, subjects: ['sub01'] },
        current: at >= 0 ? { row: rows[at], index: at } : null,
      }
    },
    'command:project.close': () => {
      open = null
      return { closed: true }
    },
    'query:sample.get': ({ sampleId }: { sampleId: number }) => record(sampleId),
    'query:samples.next-uncoded': ({ fromSampleId }: { fromSampleId: number | null }) => {
      const next = fromSampleId === 11 ? 12 : fromSampleId === 12 ? null : 11
      return { sampleId: next, at: next === null ? null : { row: summary(next, `EP0${next - 10}`), index: next - 11 } }
    },
  })
  installFake(fake.transport)
  return { store: useProjectStore(), calls: fake.calls, emit: fake.emit }
}

describe('project store', () => {
  beforeEach(() => localStorage.clear())

  it('runs the demo as a job, then shows its dataset and picks the coder (never the dataset labels)', async () => {
    const { store } = setup()
    await store.openDemo()
    expect(store.error).toBeNull()
    expect(store.project?.name).toBe('demo')
    expect(store.dataset?.name).toBe('demo')
    expect(store.coders.map((c) => c.name)).toEqual(['Ana'])
    expect(store.annotatorId).toBe(3)
    expect(store.samples.map((s) => s.name)).toEqual(['EP01', 'EP02'])
  })

  it('reports a failed open with the back end’s message and remembers nothing', async () => {
    const { store } = setup()
    await store.openDataset('/x')
    expect(store.error).toBe('Nothing to import from /x')
    expect(store.project).toBeNull()
    expect(store.recentPaths).toEqual([])
  })

  it('opens a dataset with a labels file of its choice, shows the report, and closes back to the first screen', async () => {
    const { store, calls } = setup(false, 'succeeds')
    await store.openDataset('/d', '/d/CASME2-coding-20140508.xlsx')
    expect(calls.find((c) => c.channel === 'command:project.open-dataset')!.input).toEqual({ root: '/d', labels: '/d/CASME2-coding-20140508.xlsx' })
    expect(store.project?.name).toBe('demo')
    expect(store.openedReport).toBe(true)
    await store.openSample(11)

    await store.closeProject()
    expect(calls.some((c) => c.channel === 'command:project.close')).toBe(true)
    expect(store.error).toBeNull()
    expect(store.project).toBeNull()
    expect(store.currentSample).toBeNull()
    expect(store.samples).toEqual([])
    expect(store.openedReport).toBe(false)
    // A reload asks the back end, which has nothing open: the first screen again.
    await store.refreshProject()
    expect(store.project).toBeNull()
  })

  it('opens a project file the CLI made even with a project open, instead of importing it as a dataset', async () => {
    const { store, calls } = setup(false, 'succeeds')
    await store.openDemo()
    await store.openDataset('/studies/study.meproj')
    expect(store.error).toBeNull()
    expect(calls.find((c) => c.channel === 'command:project.open-dataset')!.input).toEqual({ root: '/studies/study.meproj' })
    expect(calls.some((c) => c.channel === 'command:dataset.import')).toBe(false)
  })

  it('walks to the next uncoded sample through the back end, within the filters', async () => {
    const { store, calls } = setup()
    await store.openDemo()
    await store.setFilter({ subject: 'sub01' })
    expect(await store.openNextUncoded('next')).toBe(true)
    expect(store.currentSample?.id).toBe(11)
    expect(await store.openNextUncoded('next')).toBe(true)
    expect(store.currentSample?.id).toBe(12)
    expect(await store.openNextUncoded('next')).toBe(false)
    expect(calls.filter((c) => c.channel === 'query:samples.next-uncoded').at(-1)?.input).toEqual({
      annotatorId: 3, fromSampleId: 12, direction: 'next', filter: { datasetId: 1, subject: 'sub01' },
    })
  })

  it('reopens the last sample after a reload and follows project events', async () => {
    const first = setup()
    await first.store.openDemo()
    await first.store.openSample(12)
    const { store, emit } = setup(true)
    await store.refreshProject()
    expect(store.currentSample?.id).toBe(12)
    emit('event:project.changed', { reason: 'closed', project: null })
    await flushPromises()
    expect(store.project).toBeNull()
    expect(store.currentSample).toBeNull()
  })

  it('builds frame URLs for the media layer’s frame route by integer index', async () => {
    const { store } = setup()
    expect(store.frameUrl(record(1) as never, 7)).toBe(`/media/frame/${encodeURIComponent('/d/sub01/EP0 1')}/7.raw`)
  })
})
