/**
 * One front door: `me-studio flow|magnify|spot` and the contract's handlers (what the Electron
 * binder and the browser bridge call) run the same service methods, so on the same inputs their
 * outputs are the same bytes.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobDone } from '@shared/ipc'
import { runCli } from '../../../src/main/cli/run'
import { call } from '../../../src/main/ipc/registry'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import type { SampleTruth } from '../../../src/main/services/synth/truth'
import { createStudio, type Studio } from '../../../src/main/studio'

let studio: Studio
let sample: SampleTruth
let root: string
let clipPath: string
let frameFiles: string[]
const dataDir = mkdtempSync(join(tmpdir(), 'me-front-data-'))

async function cli(...argv: string[]): Promise<string> {
  let stdout = ''
  let stderr = ''
  const env = { ...process.env, ME_STUDIO_DATA_DIR: dataDir }
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, env, cwd: root })
  expect(code, stderr).toBe(0)
  return stdout
}

function done(jobId: string): Promise<JobDone> {
  return new Promise((resolve) => {
    const unsubscribe = studio.bus.subscribe((channel, payload) => {
      if (channel === 'event:job.done' && (payload as JobDone).jobId === jobId) {
        unsubscribe()
        resolve(payload as JobDone)
      }
    })
  })
}

async function route(path: string): Promise<Buffer> {
  const response = await studio.media.handle({ path, searchParams: new URLSearchParams(), headers: new Headers(), method: 'GET' })
  expect(response.status, path).toBe(200)
  return Buffer.from(await response.arrayBuffer())
}

const round = (v: number) => Math.round(v * 1e4) / 1e4

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'me-front-'))
  const truth = await generateSyntheticDataset({ outDir: root, subjects: 1, samplesPerSubject: 1, seed: 11, width: 96, height: 96, durationSeconds: [0.2, 0.2] })
  sample = truth.samples[0]!
  clipPath = join(root, sample.path)
  studio = createStudio({ host: 'bridge', userDataDir: dataDir, resourcesDir: 'resources', visionWorkers: 1 })
  await studio.mediaRoots.add(root)
  frameFiles = (await studio.frames.open(clipPath)).files!
}, 120_000)

afterAll(async () => {
  await studio.dispose()
  rmSync(root, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
})

describe('the CLI and the handlers give the same bytes', () => {
  it('flow: the .flo body is the handler flow field, the statistics are the summary', async () => {
    const [from, to] = [sample.onsetIndex, sample.apexIndex]
    const printed = JSON.parse(await cli('flow', join(clipPath, frameFiles[from]!), join(clipPath, frameFiles[to]!), '--out', 'ab.flo', '--json'))
    const { jobId, flowId } = await call(studio.registry, 'command:motion.flow', { clipPath, from, to, maxSide: null })
    expect((await done(jobId)).state).toBe('completed')
    const summary = await call(studio.registry, 'query:motion.flow', { flowId })
    const flo = readFileSync(join(root, 'ab.flo'))
    expect(flo.subarray(12).equals(await route(`flow/${flowId}/field.f32`))).toBe(true)
    expect({ mean: printed.mean, max: printed.max, median: printed.median, p95: printed.p95 }).toEqual(summary.stats)
    expect(summary.stats.max).toBeGreaterThan(0)
  })

  it('magnify: every PNG the CLI writes is the handler route PNG', async () => {
    const start = 0
    const count = Math.min(8, frameFiles.length)
    await cli('magnify', clipPath, '--alpha', '15', '--start', String(start), '--count', String(count), '--out', 'magnified')
    const { jobId, magnifyId } = await call(studio.registry, 'command:motion.magnify', { clipPath, start, count, alpha: 15 })
    expect((await done(jobId)).state).toBe('completed')
    const files = readdirSync(join(root, 'magnified')).sort()
    expect(files).toHaveLength(count)
    for (let i = 0; i < count; i++) {
      expect(readFileSync(join(root, 'magnified', files[i]!)).equals(await route(`magnified/${magnifyId}/${i}.png`)), files[i]).toBe(true)
    }
  })

  it('magnify: both doors refuse α above the schema limit', async () => {
    let stderr = ''
    const code = await runCli(['magnify', clipPath, '--alpha', '150', '--out', 'too-much'], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false, env: { ...process.env, ME_STUDIO_DATA_DIR: dataDir }, cwd: root })
    expect(code).toBe(2)
    expect(stderr).toContain('--alpha')
    await expect(call(studio.registry, 'command:motion.magnify', { clipPath, start: 0, count: 4, alpha: 150 })).rejects.toMatchObject({ code: 'invalid-input' })
  })

  it('spot: the printed curve, marks and peaks are the handler summary', async () => {
    const printed = JSON.parse(await cli('spot', clipPath))
    const count = frameFiles.length
    const { jobId, spotId } = await call(studio.registry, 'command:motion.spot', { clipPath, start: 0, count })
    expect((await done(jobId)).state).toBe('completed')
    const summary = await call(studio.registry, 'query:motion.spot', { spotId })
    expect(printed.indices).toEqual({ onset: summary.onset, apex: summary.apex, offset: summary.offset })
    expect(printed.curve).toEqual(summary.curve.map(round))
    expect(printed.confidence).toBe(round(summary.confidence))
    expect(printed.peaks.map((p: { value: number }) => p.value)).toEqual(summary.peaks.map((p) => round(p.value)))
    expect(printed.face.found).toBe(summary.faceFound)
  })
})
