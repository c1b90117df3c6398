import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import type { FaceRegion } from '../../../src/main/vision/face/regions'
import { resizeArea, sampleBilinear, type FlowField, type GrayImage } from '../../../src/main/vision/image'
import { lucasKanadeFlow } from '../../../src/main/vision/lucas-kanade'
import { findPeaks, spotApex } from '../../../src/main/vision/spotting'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { synthFixture } from '../../helpers/synth-fixture'

const ASTRONAUT = new URL('../../../resources/faces/astronaut.png', import.meta.url).pathname
const SIDE = 96

/** Raised-cosine activation (0 → 1 at the apex → 0), as the synthetic generator uses. */
function activation(t: number, onset: number, apex: number, offset: number): number {
  if (t <= onset || t >= offset) return 0
  if (t <= apex) return 0.5 * (1 - Math.cos((Math.PI * (t - onset)) / (apex - onset)))
  return 0.5 * (1 + Math.cos((Math.PI * (t - apex)) / (offset - apex)))
}

function square(id: string, cx: number, cy: number, half: number, reference = false): FaceRegion {
  return {
    id,
    region: reference ? 'nose' : 'brows',
    side: 'centre',
    reference,
    polygon: [
      { x: cx - half, y: cy - half },
      { x: cx + half, y: cy - half },
      { x: cx + half, y: cy + half },
      { x: cx - half, y: cy + half },
    ],
  }
}

/**
 * A clip of the face texture: a Gaussian bump of local displacement (amplitude `amp` px, σ 8 px,
 * centred at (30, 30)) following the activation, a rigid head drift of ±`drift` px, and
 * Gaussian-ish pixel noise.
 */
function makeClip(
  base: GrayImage,
  n: number,
  onset: number,
  apex: number,
  offset: number,
  amp: number,
  drift: number,
  seed = 3,
): GrayImage[] {
  let s = seed
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648
    return s / 2147483648 - 0.5
  }
  return Array.from({ length: n }, (_, t) => {
    const a = activation(t, onset, apex, offset) * amp
    const hx = drift * Math.sin((2 * Math.PI * t) / n)
    const data = new Float32Array(SIDE * SIDE)
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const g = Math.exp(-((x - 30) ** 2 + (y - 30) ** 2) / (2 * 64))
        data[y * SIDE + x] = sampleBilinear(base, x - hx, y - a * g) + 2 * (rnd() + rnd())
      }
    }
    return { width: SIDE, height: SIDE, data }
  })
}

describe('apex spotting', () => {
  let base: GrayImage
  const regions = [square('brow', 30, 30, 10), square('mouth', 60, 70, 10), square('nose-reference', 48, 50, 6, true)]

  beforeAll(async () => {
    const { data, info } = await sharp(ASTRONAUT)
      .extract({ left: 150, top: 60, width: 150, height: 150 })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true })
    base = resizeArea({ width: info.width, height: info.height, data: Float32Array.from(data) }, SIDE, SIDE)
  })

  it('finds the apex of a 0.8 px local movement within 2 frames and suggests onset/offset', () => {
    const clip = makeClip(base, 60, 12, 28, 46, 0.8, 0.3)
    const r = spotApex(clip, { regions })
    expect(Math.abs(r.apex - 28)).toBeLessThanOrEqual(2)
    expect(r.onset).toBeGreaterThanOrEqual(8)
    expect(r.onset).toBeLessThanOrEqual(20)
    expect(r.offset).toBeGreaterThanOrEqual(36)
    expect(r.offset).toBeLessThanOrEqual(50)
    expect(r.onsetSuggested && r.offsetSuggested).toBe(true)
    expect(r.confidence).toBeGreaterThan(0.5)
    expect(r.curve).toHaveLength(60)
    expect(Object.keys(r.regions)).toEqual(['brow', 'mouth'])
    // The moving region dominates the still one at the apex.
    expect(r.regions['brow']![28]!).toBeGreaterThan(3 * r.regions['mouth']![28]!)
  })

  it('with the coded onset as reference, and with a flow signal (dense LK), finds the same apex', () => {
    const clip = makeClip(base, 30, 6, 15, 24, 0.8, 0.3, 5)
    const a = spotApex(clip, { regions, onset: 6 })
    expect(a.onset).toBe(6)
    expect(a.onsetSuggested).toBe(false)
    expect(Math.abs(a.apex - 15)).toBeLessThanOrEqual(2)
    const flow = (i0: GrayImage, i1: GrayImage): FlowField => lucasKanadeFlow(i0, i1, { levels: 1, windowSize: 11, iterations: 2 })
    const b = spotApex(clip, { regions, onset: 6, signal: 'flow', flow })
    expect(Math.abs(b.apex - 15)).toBeLessThanOrEqual(2)
    expect(b.confidence).toBeGreaterThan(0.5)
  })

  it('runs as the `spot` task of the vision worker pool with the same result', async () => {
    const pool = new VisionPool({
      workerPath: fileURLToPath(new URL('../../../src/main/workers/vision.worker.ts', import.meta.url)),
      execArgv: ['--import', 'tsx'],
      size: 1,
    })
    try {
      const clip = makeClip(base, 24, 4, 12, 20, 0.8, 0.3, 9)
      const local = spotApex(clip, { regions })
      const remote = await pool.run('spot', { frames: clip, options: { regions } })
      expect(remote.apex).toBe(local.apex)
      expect(remote.curve).toEqual(local.curve)
    } finally {
      await pool.destroy()
    }
  })

  it('a still clip with only head drift has low confidence', () => {
    const clip = makeClip(base, 40, 8, 20, 32, 0, 0.3, 7)
    const r = spotApex(clip, { regions })
    expect(r.confidence).toBeLessThan(0.5)
  })

  it('peak prominence and confidence', () => {
    const p = findPeaks([0, 0.5, 0, 0, 5, 2, 3, 0], 0.1)
    expect(p.map((x) => x.frame)).toEqual([4, 6, 1])
    expect(p[0]!.prominence).toBe(5)
    expect(p[1]!.prominence).toBe(1)
    expect(p[0]!.confidence).toBeCloseTo(5 / 5.3, 10)
  })
})

describe('spotting generated micro-expression clips (synth generator, head motion on)', () => {
  it('`me-studio spot` finds every apex within 3 frames and prints the JSON', async () => {
    const ds = await synthFixture({ headMotion: true })
    for (const sample of ds.truth.samples) {
      const { code, stdout, stderr } = await runCliCaptured(['spot', ds.clipPath(sample), '--fps', String(sample.fps)], ds.root)
      expect(code, stderr).toBe(0)
      const out = JSON.parse(stdout) as {
        apex: number
        onset: number
        offset: number
        confidence: number
        curve: number[]
        face: { found: boolean }
        indices: { apex: number }
      }
      expect(out.face.found).toBe(true)
      expect(out.curve).toHaveLength(sample.frameCount)
      // Frame numbers as in the label sheet.
      expect(Math.abs(out.apex - sample.apex)).toBeLessThanOrEqual(3)
      expect(Math.abs(out.indices.apex - sample.apexIndex)).toBeLessThanOrEqual(3)
      expect(out.onset).toBeLessThan(out.apex)
      expect(out.offset).toBeGreaterThan(out.apex)
      expect(out.confidence).toBeGreaterThan(0.3)
    }
  }, 180_000)
})
