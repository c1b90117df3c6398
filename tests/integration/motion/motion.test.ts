import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobDone } from '@shared/ipc'
import { call } from '../../../src/main/ipc/registry'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import type { GroundTruth, SampleTruth } from '../../../src/main/services/synth/truth'
import { createStudio, type Studio } from '../../../src/main/studio'

let studio: Studio
let truth: GroundTruth
let sample: SampleTruth
let root: string

function waitForJob(jobId: string): Promise<JobDone> {
  return new Promise((resolve) => {
    const unsubscribe = studio.bus.subscribe((channel, payload) => {
      if (channel === 'event:job.done' && (payload as JobDone).jobId === jobId) {
        unsubscribe()
        resolve(payload as JobDone)
      }
    })
  })
}

async function route(path: string): Promise<Response> {
  return studio.media.handle({ path, searchParams: new URLSearchParams(), headers: new Headers(), method: 'GET' })
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'me-motion-'))
  truth = await generateSyntheticDataset({ outDir: root, subjects: 1, samplesPerSubject: 1, seed: 7, width: 128, height: 128, durationSeconds: [0.2, 0.2] })
  sample = truth.samples[0]!
  studio = createStudio({ host: 'bridge', userDataDir: mkdtempSync(join(tmpdir(), 'me-motion-data-')), resourcesDir: 'resources', visionWorkers: 1 })
  await studio.mediaRoots.add(root)
}, 120_000)

afterAll(() => studio.dispose())

describe('motion views through the contract', () => {
  it('computes onset→apex TV-L1 flow as a job and serves its views', async () => {
    const clipPath = join(root, sample.path)
    const { jobId, flowId } = await call(studio.registry, 'command:motion.flow', { clipPath, from: sample.onsetIndex, to: sample.apexIndex, maxSide: null })
    const done = await waitForJob(jobId)
    expect(done.state).toBe('completed')
    const summary = await call(studio.registry, 'query:motion.flow', { flowId })
    expect(summary).toMatchObject({ width: 128, height: 128, method: 'tvl1', from: sample.onsetIndex, to: sample.apexIndex })
    // The generated movement peaks at the apex with a known amplitude: the flow must see it.
    expect(summary.stats.max).toBeGreaterThan(0.3 * sample.maxFlow)
    expect(summary.stats.max).toBeLessThan(3 * sample.maxFlow + 0.5)

    for (const view of ['color', 'magnitude', 'strain', 'legend']) {
      const response = await route(`flow/${flowId}/${view}.png`)
      expect(response.status).toBe(200)
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata()
      expect(meta.format).toBe('png')
    }
    const field = await route(`flow/${flowId}/field.f32`)
    expect(field.headers.get('x-flow-width')).toBe('128')
    expect((await field.arrayBuffer()).byteLength).toBe(128 * 128 * 2 * 4)
  })

  it('refuses clips outside the opened roots', async () => {
    await expect(call(studio.registry, 'command:motion.flow', { clipPath: '/etc', from: 0, to: 1 })).rejects.toMatchObject({ code: 'forbidden-path' })
  })

  it('magnifies a section as a job and serves every frame', async () => {
    const clipPath = join(root, sample.path)
    const { jobId, magnifyId } = await call(studio.registry, 'command:motion.magnify', { clipPath, start: 0, count: 8, alpha: 10 })
    expect((await waitForJob(jobId)).state).toBe('completed')
    const summary = await call(studio.registry, 'query:motion.magnified', { magnifyId })
    expect(summary).toMatchObject({ count: 8, width: 128, height: 128, method: 'eulerian' })
    const frame = await route(`magnified/${magnifyId}/7.png`)
    expect(frame.status).toBe(200)
    expect((await route(`magnified/${magnifyId}/8.png`)).status).toBe(404)
  })

  it('spots the apex of a generated clip as a job, within 3 frames of the truth', async () => {
    const clipPath = join(root, sample.path)
    const { jobId, spotId } = await call(studio.registry, 'command:motion.spot', { clipPath, start: 0, count: sample.frameCount })
    expect((await waitForJob(jobId)).state).toBe('completed')
    const spot = await call(studio.registry, 'query:motion.spot', { spotId })
    expect(spot.faceFound).toBe(true)
    expect(spot.curve).toHaveLength(sample.frameCount)
    expect(Math.abs(spot.apex - sample.apexIndex)).toBeLessThanOrEqual(3)
    expect(spot.onsetSuggested).toBe(true)
    expect(spot.onset).toBeLessThan(spot.apex)
  })

  it('finds 68 landmarks and AU regions on a frame and serves the aligned crop', async () => {
    const clipPath = join(root, sample.path)
    const face = await call(studio.registry, 'query:motion.face', { clipPath, index: sample.onsetIndex, side: 112 })
    expect(face.found).toBe(true)
    expect(face.landmarks).toHaveLength(68)
    expect(face.regions.map((r) => r.id)).toContain('nose-reference')
    const crop = await route(`aligned/${face.faceId}.png`)
    expect(crop.status).toBe(200)
    const meta = await sharp(Buffer.from(await crop.arrayBuffer())).metadata()
    expect([meta.width, meta.height]).toEqual([112, 112])
  })

  it('rejects a magnification band above Nyquist with a clear message', async () => {
    const clipPath = join(root, sample.path)
    const { jobId } = await call(studio.registry, 'command:motion.magnify', { clipPath, start: 0, count: 4, filter: { kind: 'ideal', lowHz: 1, highHz: 500 } })
    const done = await waitForJob(jobId)
    expect(done.state).toBe('failed')
    expect(done.error?.message).toMatch(/fps\/2/)
  })
})
