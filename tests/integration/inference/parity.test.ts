// Parity of the TypeScript input building with the training preprocessing (models/preprocess.py,
// OpenCV) on the same generated frames. Deterministic stages (gray + bicubic resize, temporal
// normalisation, strain and standardisation from one flow field) must agree to float precision;
// the flow itself differs slightly between the TS TV-L1 and OpenCV's, so the full tensors are
// compared with a stated tolerance on the flow's end-point error.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import type { ModelCard } from '../../../src/shared/domain/model-card'
import { InputBuilder } from '../../../src/main/services/inference/inputs'
import { framePlanes, grayFromPlanes, quantise, resizeBicubicOpenCv, strainReflect101 } from '../../../src/main/vision/recipe/opencv-exact'
import type { InferenceSample } from '../../../src/main/services/inference/sample'
import { inlineVisionCompute } from '../../../src/main/services/inference/vision-compute'
import { normalizeLength } from '../../../src/main/vision/temporal'
import { lucasKanadeFlow } from '../../../src/main/vision/lucas-kanade'
import { offTanetCard, texturedFrame } from '../../helpers/inference-fixture'

const PYTHON = '/usr/bin/python3'
const hasOpenCv = spawnSync(PYTHON, ['-c', 'import cv2, numpy'], { stdio: 'ignore' }).status === 0
const SIZE = 112
const LENGTH = 6
const FRAMES = 9
/**
 * Model inputs compute TV-L1 with OpenCV's numerics (`opencvNumerics`: nominal-step pyramid, cv::remap's
 * 1/32-px cubic warp with zero borders). Measured on these frames: EPE 0.0003 px; per-channel
 * correlation of the standardised tensors u 1.00000, v 0.99999, strain 0.99998 (before those numerics:
 * EPE 0.05 px, correlations 0.987 / 0.984 / 0.924). What is left is float rounding (accumulation order,
 * cvRound ties) that a few iterations can carry.
 */
const MAX_EPE = 0.005
const MIN_CORRELATION = [0.999, 0.999, 0.995]

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

function meanEndPointError(u0: ArrayLike<number>, v0: ArrayLike<number>, u1: ArrayLike<number>, v1: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < u0.length; i++) s += Math.hypot(u0[i]! - u1[i]!, v0[i]! - v1[i]!)
  return s / u0.length
}

describe.skipIf(!hasOpenCv)('parity with models/preprocess.py (OpenCV)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'me-parity-'))
  const out = join(dir, 'reference')
  // Motion grows to (2.4, −1.2) px at the middle frame (the apex) inside a 48×32 patch.
  const frames = Array.from({ length: FRAMES }, (_, i) => {
    const t = 1 - Math.abs(i - 4) / 4
    return texturedFrame(128, 128, { dx: 2.4 * t, dy: -1.2 * t }, [40, 48, 88, 80])
  })
  await Promise.all(frames.map((f, i) => sharp(f.data, { raw: { width: 128, height: 128, channels: 3 } }).png().toFile(join(dir, `frame_${String(i).padStart(3, '0')}.png`))))
  const sample: InferenceSample = { key: dir, frameCount: FRAMES, onsetIndex: 0, apexIndex: 4, offsetIndex: FRAMES - 1, readFrame: async (i) => frames[i]! }
  const card = offTanetCard()
  const builder = new InputBuilder({ compute: inlineVisionCompute })
  const built = await builder.buildInput(sample, card)
  const plane = SIZE * SIZE
  // The TS flow (before standardisation) is recomputed from the cached stage for the exact comparisons.
  const grayOnset = quantise(resizeBicubicOpenCv(grayFromPlanes(framePlanes(frames[0]!)), SIZE, SIZE))
  const grayApex = quantise(resizeBicubicOpenCv(grayFromPlanes(framePlanes(frames[4]!)), SIZE, SIZE))
  const tsFlow = await inlineVisionCompute.flow('tvl1', grayOnset, grayApex, { ...card.preprocessing.flow!.params, useInitialFlow: undefined, opencvNumerics: true })
  const flowBytes = new Float32Array(2 * plane)
  flowBytes.set(tsFlow.u, 0)
  flowBytes.set(tsFlow.v, plane)
  writeFileSync(join(dir, 'ts_flow.f32'), Buffer.from(flowBytes.buffer))
  execFileSync(PYTHON, ['tests/fixtures/inference/preprocess_reference.py', dir, out, String(SIZE), String(LENGTH)], { stdio: 'pipe' })
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Record<string, number[]>
  const ref = (name: string): Float32Array => {
    const bytes = readFileSync(join(out, `${name}.f32`))
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
    expect(data.length).toBe(manifest[name]!.reduce((a, b) => a * b, 1))
    return data
  }

  it('gray conversion + OpenCV bicubic resize: identical uint8 frames', () => {
    expect(maxAbsDiff(grayOnset.data, ref('onset_resized'))).toBe(0)
    expect(maxAbsDiff(grayApex.data, ref('apex_resized'))).toBe(0)
  })

  it('strain and standardisation from the same flow agree to float precision (≤ 1e-4)', () => {
    expect(maxAbsDiff(strainReflect101(tsFlow, 'off-tanet').data, ref('from_ts_flow_strain'))).toBeLessThan(1e-5)
    // The built tensor used the same TS flow: only strain and standardisation lie between them.
    expect(maxAbsDiff(built.data, ref('from_ts_flow_input'))).toBeLessThan(1e-4)
  })

  it('TS TV-L1 (OpenCV numerics) vs OpenCV TV-L1 on the same frames: mean end-point error < 0.005 px, u and v channels correlate > 0.999, strain > 0.995', () => {
    const cv = ref('flow')
    const epe = meanEndPointError(tsFlow.u, tsFlow.v, cv.subarray(0, plane), cv.subarray(plane))
    expect(epe).toBeLessThan(MAX_EPE)
    const reference = ref('onset_apex_input')
    for (let c = 0; c < 3; c++) {
      const a = built.data.subarray(c * plane, (c + 1) * plane)
      const b = reference.subarray(c * plane, (c + 1) * plane)
      let dot = 0
      for (let i = 0; i < plane; i++) dot += a[i]! * b[i]!
      // Both channels are standardised (mean 0, std 1): the mean product is their correlation.
      expect(dot / plane).toBeGreaterThan(MIN_CORRELATION[c]!)
    }
  })

  it('temporal normalisation (linear, rounded) then gray + resize: identical uint8 frames', () => {
    const planes = frames.map(framePlanes)
    const perChannel = [0, 1, 2].map((c) => normalizeLength(planes.map((p) => p[c]!), LENGTH).map(quantise))
    const ts = Array.from({ length: LENGTH }, (_, t) => quantise(resizeBicubicOpenCv(grayFromPlanes(perChannel.map((seq) => seq[t]!)), SIZE, SIZE)).data)
    const reference = ref('sequence_resized')
    ts.forEach((data, t) => expect(maxAbsDiff(data, reference.subarray(t * plane, (t + 1) * plane))).toBeLessThanOrEqual(0))
  })

  it('flow + ISDF sequence (AST+SVMNet recipe): ISDF channel identical, LK flow channels correlate > 0.9', async () => {
    const sequenceCard: ModelCard = {
      ...card,
      id: 'flow_isdf_probe',
      input: { ...card.input, kind: 'flow-isdf', shape: [-1, 3, LENGTH, SIZE, SIZE], layout: 'NCTHW', channels: ['u', 'v', 'isdf'] },
      preprocessing: {
        ...card.preprocessing,
        frames: { selection: 'onset-to-offset', temporalLength: LENGTH, temporalInterpolation: 'linear' },
        flow: { method: 'lk', reference: 'onset', params: { window: 9, regularisation: 1e-3 }, description: '' },
        strain: null,
        isdf: { reference: 'onset' },
      },
    }
    const seq = await builder.buildInput(sample, sequenceCard)
    const reference = ref('isdf_input')
    const channel = LENGTH * plane
    const correlation = (c: number): number => {
      let dot = 0
      for (let i = c * channel; i < (c + 1) * channel; i++) dot += seq.data[i]! * reference[i]!
      return dot / channel
    }
    expect(maxAbsDiff(seq.data.subarray(2 * channel), reference.subarray(2 * channel))).toBeLessThan(1e-4)
    // Measured: u 0.993, v 0.987 (single-scale LK of the vision module vs preprocess.lk_flow).
    expect(correlation(0)).toBeGreaterThan(0.9)
    expect(correlation(1)).toBeGreaterThan(0.9)
  })

  describe('flow computed at 112×112 and pooled to 28×28 (flow.computeSize, preprocess.pool_flow)', () => {
    const SMALL = SIZE / 4
    const pooledCard = (selection: 'onset-apex' | 'onset-to-offset'): ModelCard => {
      const sequence = selection === 'onset-to-offset'
      return {
        ...card,
        id: `pooled_${selection}_probe`,
        input: sequence
          ? { ...card.input, kind: 'flow-sequence', shape: [-1, 2, LENGTH, SMALL, SMALL], layout: 'NCTHW', channels: ['u', 'v'] }
          : { ...card.input, shape: [-1, 3, SMALL, SMALL] },
        preprocessing: {
          ...card.preprocessing,
          frames: sequence ? { selection, temporalLength: LENGTH, temporalInterpolation: 'linear' } : card.preprocessing.frames,
          crop: { ...card.preprocessing.crop, size: [SMALL, SMALL] },
          flow: { ...card.preprocessing.flow!, computeSize: [SIZE, SIZE] } as ModelCard['preprocessing']['flow'],
          strain: sequence ? null : { variant: 'standard', derivative: 'sobel3-div8-reflect101' },
        },
      }
    }
    const correlations = (a: Float32Array, b: Float32Array, channels: number): number[] => {
      const per = a.length / channels
      return Array.from({ length: channels }, (_, c) => {
        let dot = 0
        for (let i = c * per; i < (c + 1) * per; i++) dot += a[i]! * b[i]!
        return dot / per
      })
    }

    it('pooling and strain of the same 112×112 flow agree with Python to float precision (≤ 1e-4)', async () => {
      const pooled = await builder.buildInput(sample, pooledCard('onset-apex'))
      expect(pooled.dims).toEqual([1, 3, SMALL, SMALL])
      expect(maxAbsDiff(pooled.data, ref('from_ts_flow_pooled_input'))).toBeLessThan(1e-4)
    })

    it('onset–apex input (STSTNet demo recipe) vs OpenCV: every channel correlates > 0.999', async () => {
      const pooled = await builder.buildInput(sample, pooledCard('onset-apex'))
      for (const r of correlations(pooled.data, ref('pooled_input'), 3)) expect(r).toBeGreaterThan(0.999)
    })

    it('flow sequence (MS-3D-ResNet demo recipe) vs OpenCV: u and v correlate > 0.999', async () => {
      const pooled = await builder.buildInput(sample, pooledCard('onset-to-offset'))
      expect(pooled.dims).toEqual([1, 2, LENGTH, SMALL, SMALL])
      for (const r of correlations(pooled.data, ref('pooled_sequence_input'), 2)) expect(r).toBeGreaterThan(0.999)
    })

    it('flow between neighbours (ASTNet paper recipe): T frames give T − 1 steps, no zero step; u and v correlate > 0.999', async () => {
      const neighbours = pooledCard('onset-to-offset')
      neighbours.input = { ...neighbours.input, shape: [-1, 2, LENGTH - 1, SMALL, SMALL] }
      neighbours.preprocessing = { ...neighbours.preprocessing, flow: { ...neighbours.preprocessing.flow!, reference: 'previous' } as ModelCard['preprocessing']['flow'] }
      const built = await builder.buildInput(sample, neighbours)
      expect(built.dims).toEqual([1, 2, LENGTH - 1, SMALL, SMALL])
      const step = SMALL * SMALL
      // the first step is the flow frame 0 → 1 (motion 0.4 of the apex's), not the onset recipe's zero flow, which standardises to a constant plane
      const first = built.data.subarray(0, step)
      expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(1)
      for (const r of correlations(built.data, ref('pooled_neighbour_sequence_input'), 2)) expect(r).toBeGreaterThan(0.999)
    })

    it('a compute size that is not a whole multiple of the input size is refused with a clear error', async () => {
      const odd = pooledCard('onset-apex')
      odd.preprocessing = { ...odd.preprocessing, flow: { ...odd.preprocessing.flow!, computeSize: [100, 100] } as ModelCard['preprocessing']['flow'] }
      await expect(builder.buildInput(sample, odd)).rejects.toThrow(/compute size 100×100 must be the same whole multiple of the input size 28×28/)
    })
  })

  it('Lucas–Kanade: the vision module vs preprocess.lk_flow (a known deviation, bounded)', () => {
    const reference = ref('sequence_resized')
    const first = { width: SIZE, height: SIZE, data: reference.slice(0, plane) }
    const mid = LENGTH >> 1
    const last = { width: SIZE, height: SIZE, data: reference.slice(mid * plane, (mid + 1) * plane) }
    const ts = lucasKanadeFlow(first, last, { windowSize: 9, levels: 1, iterations: 1 })
    const cv = ref('lk_first_mid')
    const epe = meanEndPointError(ts.u, ts.v, cv.subarray(0, plane), cv.subarray(plane))
    expect(epe).toBeLessThan(0.1) // measured 0.027 px
  })
})
