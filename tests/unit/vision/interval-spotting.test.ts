import { describe, expect, it } from 'vitest'
import { intervalIou } from '@shared/metrics/spotting'
import type { FaceRegion } from '../../../src/main/vision/face/regions'
import type { GrayImage } from '../../../src/main/vision/image'
import {
  faceCrop,
  pairMotion,
  referenceDistances,
  regionLayout,
  scaleReference,
  spotIntervals,
  type RegionLayout,
  type ScaleMotion,
} from '../../../src/main/vision/interval-spotting'
import { gaussianBlur } from '../../../src/main/vision/image'

const SIDE = 96

function square(id: string, cx: number, cy: number, half: number): FaceRegion {
  return {
    id,
    region: 'brows',
    side: 'centre',
    reference: id === 'nose-reference',
    polygon: [
      { x: cx - half, y: cy - half },
      { x: cx + half, y: cy - half },
      { x: cx + half, y: cy + half },
      { x: cx - half, y: cy + half },
    ],
  }
}

/** A face-like layout on a 96-px crop: brows, eyes, glabella, nose, mouth corners, chin, the nose reference. */
const REGIONS: FaceRegion[] = [
  square('left-brow', 30, 22, 8),
  square('right-brow', 66, 22, 8),
  square('glabella', 48, 26, 6),
  square('left-eye', 30, 38, 7),
  square('right-eye', 66, 38, 7),
  square('nose-reference', 48, 44, 6),
  square('nose', 48, 58, 7),
  square('left-mouth-corner', 32, 72, 7),
  square('right-mouth-corner', 64, 72, 7),
  square('chin', 48, 86, 7),
]

/** A smooth texture seen through a displacement: the pixel (x, y) shows texture point (x, y) − d(x, y). */
function textured(displacement: (x: number, y: number) => [number, number]): GrayImage {
  const data = new Float32Array(SIDE * SIDE)
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [dx, dy] = displacement(x, y)
      const u = x - dx
      const v = y - dy
      data[y * SIDE + x] = 128 + 40 * Math.sin(0.35 * u) * Math.cos(0.27 * v) + 30 * Math.sin(0.21 * u + 0.4 * v)
    }
  }
  return gaussianBlur({ width: SIDE, height: SIDE, data }, 1)
}

const layout = regionLayout(REGIONS, SIDE)
const indexOf = (id: string) => layout.regions.findIndex((r) => r.id === id)
const still = textured(() => [0, 0])

describe('pairMotion', () => {
  it('removes a rigid head translation and reports it on the nose bridge', () => {
    const moved = textured(() => [0.6, -0.4])
    const m = pairMotion(moved, still, layout)
    for (let i = 0; i < layout.regions.length; i++) expect(m[i]).toBeLessThan(0.08)
    expect(m[layout.regions.length]).toBeCloseTo(Math.hypot(0.6, 0.4), 1)
  })

  it('removes a small head roll', () => {
    const angle = (1 * Math.PI) / 180
    const c = (SIDE - 1) / 2
    const rolled = textured((x, y) => [Math.cos(angle) * (x - c) - Math.sin(angle) * (y - c) + c - x, Math.sin(angle) * (x - c) + Math.cos(angle) * (y - c) + c - y])
    const m = pairMotion(rolled, still, layout)
    for (let i = 0; i < layout.regions.length; i++) expect(m[i]).toBeLessThan(0.12)
  })

  it('isolates a local movement in its region', () => {
    // One mouth corner pushed up by 1 px inside a Gaussian window (σ 6 px).
    const pushed = textured((x, y) => [0, -Math.exp(-((x - 32) ** 2 + (y - 72) ** 2) / 72)])
    const m = pairMotion(pushed, still, layout)
    expect(m[indexOf('left-mouth-corner')]).toBeGreaterThan(0.5)
    for (const id of ['left-brow', 'right-brow', 'left-eye', 'right-eye', 'right-mouth-corner', 'nose-reference']) expect(m[indexOf(id)]).toBeLessThan(0.15)
  })
})

describe('faceCrop', () => {
  it('equals a plain warp of the whole frame inside the crop', () => {
    const frame = { width: 200, height: 150, data: new Uint8Array(200 * 150) }
    for (let i = 0; i < frame.data.length; i++) frame.data[i] = (Math.sin(i * 0.05) * 100 + 128) | 0
    // Half size, a slight roll, the crop taken from the middle of the frame.
    const t = { a: 0.5 * Math.cos(0.05), b: 0.5 * Math.sin(0.05), tx: -20, ty: -15 }
    const crop = faceCrop(frame, t, 48, 0)
    expect(crop.width).toBe(48)
    // The crop pixel (24, 24) samples the frame where T maps to it.
    const d = t.a * t.a + t.b * t.b
    const x = (t.a * (24 - t.tx) + t.b * (24 - t.ty)) / d
    const y = (-t.b * (24 - t.tx) + t.a * (24 - t.ty)) / d
    const expected = frame.data[Math.round(y) * 200 + Math.round(x)]!
    expect(Math.abs(crop.data[24 * 48 + 24]! - expected)).toBeLessThan(40)
  })
})

/** Raised-cosine activation, as the generator animates expressions. */
function activation(t: number, onset: number, apex: number, offset: number): number {
  if (t <= onset || t >= offset) return 0
  if (t <= apex) return 0.5 * (1 - Math.cos((Math.PI * (t - onset)) / (apex - onset)))
  return 0.5 * (1 + Math.cos((Math.PI * (t - apex)) / (offset - apex)))
}

interface Event {
  regions: string[]
  onset: number
  apex: number
  offset: number
  amplitude: number
  head?: boolean
}

/**
 * Scale motion as `pairMotion` would measure it for regions that translate by amplitude·a(t):
 * row t = |a(t) − a(ref)|·amplitude (+ a small deterministic noise); a head event moves the nose
 * bridge (head signal) and leaves the residuals at the noise.
 */
function scaleMotion(k: number, frames: number, events: Event[], l: RegionLayout): ScaleMotion {
  const stride = l.regions.length + 1
  const level = (t: number, j: number, head: boolean) =>
    events.reduce((sum, e) => sum + ((head ? e.head : !e.head && e.regions.includes(l.regions[j]!.id)) ? e.amplitude * activation(t, e.onset, e.apex, e.offset) : 0), 0)
  const noise = (t: number, j: number) => 0.02 * Math.abs(Math.sin(t * 12.9898 + j * 78.233))
  const row = (t: number, ref: number, out: Float32Array, at: number) => {
    for (let j = 0; j < l.regions.length; j++) out[at + j] = Math.abs(level(t, j, false) - level(ref, j, false)) + noise(t, j)
    out[at + l.regions.length] = Math.abs(level(t, 0, true) - level(ref, 0, true))
  }
  const values = new Float32Array(frames * stride)
  for (let t = 1; t < frames; t++) row(t, scaleReference(t, k), values, t * stride)
  const tail = new Float32Array(k * stride)
  for (let i = 1; i < k; i++) row(frames - 1, frames - 1 - k + i, tail, i * stride)
  return { k, values, tail }
}

describe('spotIntervals', () => {
  const fps = 30
  const frames = 450
  const events: Event[] = [
    { regions: ['left-mouth-corner', 'right-mouth-corner'], onset: 100, apex: 104, offset: 111, amplitude: 1 },
    { regions: ['left-brow', 'right-brow', 'glabella'], onset: 200, apex: 215, offset: 245, amplitude: 3 },
    { regions: ['left-eye', 'right-eye'], onset: 300, apex: 302, offset: 305, amplitude: 2 },
    { regions: [], onset: 370, apex: 385, offset: 400, amplitude: 3, head: true },
  ]
  const group = (ks: number[], list: Event[]) => ks.map((k) => scaleMotion(k, frames, list, layout))
  const distances = referenceDistances({ fps })
  const scales = { micro: group(distances.micro, events), macro: group(distances.macro, events) }

  it('finds the micro- and macro-expression with their extent, and labels the blink and the head motion', () => {
    expect(distances).toEqual({ micro: [15, 30], macro: [60, 90] })
    const { intervals } = spotIntervals(scales, layout, frames, { fps })
    const expressions = intervals.filter((i) => i.label === 'expression')
    expect(expressions.map((i) => i.kind)).toEqual(['micro', 'macro'])
    expect(intervalIou(expressions[0]!, { onset: 100, offset: 111 })).toBeGreaterThanOrEqual(0.5)
    expect(expressions[0]!.apex).toBeGreaterThanOrEqual(103)
    expect(expressions[0]!.apex).toBeLessThanOrEqual(105)
    expect(expressions[0]!.regions.slice(0, 2).sort()).toEqual(['left-mouth-corner', 'right-mouth-corner'])
    expect(intervalIou(expressions[1]!, { onset: 200, offset: 245 })).toBeGreaterThanOrEqual(0.5)
    const blink = intervals.find((i) => i.label === 'blink')
    expect(blink && blink.onset >= 299 && blink.offset <= 306).toBe(true)
    expect(intervals.filter((i) => i.label === 'expression' && i.onset <= 400 && i.offset >= 370)).toEqual([])
    for (const i of expressions) expect(i.confidence).toBeGreaterThan(0.5)
  })

  it('finds nothing where nothing moves', () => {
    const quiet = { micro: group(distances.micro, []), macro: group(distances.macro, []) }
    expect(spotIntervals(quiet, layout, frames, { fps }).intervals).toEqual([])
  })

  it('scales k with the frame rate', () => {
    expect(referenceDistances({ fps: 200 })).toEqual({ micro: [100, 200], macro: [400, 600] })
    expect(referenceDistances({ fps: 200, microReferenceSeconds: [0.2], macroReferenceSeconds: [1] })).toEqual({ micro: [40], macro: [200] })
  })
})
