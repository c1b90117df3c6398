import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '@shared/ipc'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'
import { synthFixture, type SynthFixture } from '../../helpers/synth-fixture'

let studio: Studio
let ds: SynthFixture
let userData: string

beforeAll(async () => {
  ds = await synthFixture({ format: 'casme2' })
  userData = mkdtempSync(join(tmpdir(), 'me-datasets-ipc-'))
  studio = createStudio({ host: 'bridge', userDataDir: userData, resourcesDir: 'resources', visionWorkers: 1 })
})
afterAll(async () => {
  await studio.dispose()
  rmSync(userData, { recursive: true, force: true })
})

describe('dataset and media channels', () => {
  it('detects, opens (as a job) and reports a dataset; its clips become readable', async () => {
    const { registry } = studio
    expect(await call(registry, 'query:dataset.detect', { root: ds.root })).toMatchObject({ format: 'casme2', clips: 4 })

    const { jobId } = await call(registry, 'command:dataset.open', { root: ds.root })
    const done = await studio.jobs.wait(jobId)
    expect(done).toMatchObject({ state: 'completed', done: 4, total: 4, itemErrors: 0 })
    expect(done.result).toMatchObject({ samples: 4, subjects: 2, labelRows: 4, matchedRows: 4 })

    const opened = await call(registry, 'query:dataset.opened', { root: ds.root })
    expect(opened.scan.samples).toHaveLength(4)
    expect(opened.matches.every((m) => m.sample !== null)).toBe(true)

    const truth = ds.truth.samples[0]!
    const { clip } = await call(registry, 'query:media.clip', { path: ds.clipPath(truth) })
    // The dataset's rate (CASME II: 200 fps) stays with the clip after the import opened it.
    expect(clip).toMatchObject({ kind: 'frames', frameCount: truth.frameCount, fps: 200 })
    expect(await call(registry, 'query:media.frame-index', { path: ds.clipPath(truth), frameNumber: truth.apex })).toEqual({ index: truth.apexIndex })

    const labels = await call(registry, 'query:dataset.labels', { path: ds.labelPath, format: 'casme2' })
    expect(labels.rows).toHaveLength(4)
    expect((await call(registry, 'query:dataset.formats', {})).find((f) => f.format === 'samm')).toMatchObject({ fps: 200, title: 'SAMM' })
  })

  it('reports each unreadable clip as a job item error with its own code', async () => {
    const root = join(userData, 'with-bad-clips')
    mkdirSync(join(root, 'p1', 'broken'), { recursive: true })
    cpSync(ds.clipPath(ds.truth.samples[0]!), join(root, 'p1', 'good'), { recursive: true })
    writeFileSync(join(root, 'p1', 'broken', 'img1.jpg'), '')
    const events: { item: string; code: string }[] = []
    const off = studio.bus.subscribe((channel, payload) => {
      if (channel !== 'event:job.item-error') return
      const event = payload as EventPayload<'event:job.item-error'>
      events.push({ item: event.item, code: event.error.code })
    })
    const { jobId } = await call(studio.registry, 'command:dataset.open', { root, format: 'casme2' })
    const done = await studio.jobs.wait(jobId)
    off()
    expect(done).toMatchObject({ state: 'completed', itemErrors: 1, result: { samples: 1 } })
    expect(events).toEqual([{ item: 'p1/broken', code: 'media/corrupt' }])
  })

  it('refuses clips outside opened roots and unknown datasets', async () => {
    const { registry } = studio
    await expect(call(registry, 'query:media.clip', { path: '/etc' })).rejects.toMatchObject({ code: 'forbidden-path' })
    await expect(call(registry, 'query:dataset.opened', { root: tmpdir() })).rejects.toMatchObject({ code: 'not-found' })
    await expect(call(registry, 'command:dataset.open', { root: join(tmpdir(), 'no-such-dataset-here') })).rejects.toMatchObject({ code: 'not-found' })
  })
})
