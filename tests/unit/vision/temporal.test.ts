import { describe, expect, it } from 'vitest'
import type { GrayImage } from '../../../src/main/vision/image'
import {
  createIirBandpass,
  idealBandpassBins,
  idealBandpassInPlace,
  iirBandpassGain,
  iirBandpassStep,
  isdf,
  normalizeLength,
  temporalWeights,
} from '../../../src/main/vision/temporal'

function frame(width: number, height: number, f: (x: number, y: number) => number): GrayImage {
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = f(x, y)
  return { width, height, data }
}

describe('ISDF', () => {
  it('is exactly frame − onset frame', () => {
    const frames = [0, 1, 2, 3].map((t) => frame(5, 4, (x, y) => x * 10 + y + t * t * 0.5))
    const d = isdf(frames, 1)
    expect(d).toHaveLength(4)
    for (let t = 0; t < 4; t++) {
      for (let p = 0; p < 20; p++) expect(d[t]!.data[p]).toBe(frames[t]!.data[p]! - frames[1]!.data[p]!)
    }
    expect(Array.from(d[1]!.data).every((v) => v === 0)).toBe(true)
    expect(() => isdf(frames, 4)).toThrow(RangeError)
  })
})

describe('temporal normalisation', () => {
  const ramp = (n: number) => Array.from({ length: n }, (_, t) => frame(3, 2, (x, y) => 5 + 2 * t + x - y))

  it.each([
    [7, 16],
    [30, 16],
    [16, 11],
    [2, 10],
  ])('linear interpolation is exact on a linear ramp (%i → %i frames)', (nIn, nOut) => {
    const out = normalizeLength(ramp(nIn), nOut, 'linear')
    expect(out).toHaveLength(nOut)
    for (let j = 0; j < nOut; j++) {
      const t = (j * (nIn - 1)) / (nOut - 1)
      for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) expect(out[j]!.data[y * 3 + x]).toBeCloseTo(5 + 2 * t + x - y, 4)
    }
  })

  it('TIM reproduces the input frames exactly when resampling n → n', () => {
    const frames = Array.from({ length: 9 }, (_, t) => frame(4, 3, (x, y) => Math.sin(t + x) * 40 + y * t))
    const out = normalizeLength(frames, 9, 'tim')
    for (let t = 0; t < 9; t++) for (let p = 0; p < 12; p++) expect(out[t]!.data[p]).toBeCloseTo(frames[t]!.data[p]!, 3)
  })

  it('TIM weights sum to 1 and interpolate a band-limited cosine of the path graph exactly', () => {
    const n = 10
    const w = temporalWeights(n, 16, 'tim')
    for (let j = 0; j < 16; j++) {
      let s = 0
      for (let i = 0; i < n; i++) s += w[j * n + i]!
      expect(s).toBeCloseTo(1, 10)
    }
    // A Laplacian eigenvector y₃(s) = cos(3π(s + ½)/n) lies in TIM's model space: reproduced at any s.
    const k = 3
    const signal = Array.from({ length: n }, (_, i) => Math.cos((Math.PI * k * (i + 0.5)) / n))
    for (let j = 0; j < 16; j++) {
      const s = (j * (n - 1)) / 15
      let v = 0
      for (let i = 0; i < n; i++) v += w[j * n + i]! * signal[i]!
      expect(v).toBeCloseTo(Math.cos((Math.PI * k * (s + 0.5)) / n), 10)
    }
  })
})

describe('temporal band-pass filters', () => {
  it('IIR steady-state amplitude matches |H(e^{jω})| and stops DC and near-Nyquist', () => {
    for (const f of [0, 0.01, 0.05, 0.1, 0.2, 0.45]) {
      const st = createIirBandpass(1)
      const x = new Float32Array(1)
      const y = new Float32Array(1)
      let peak = 0
      const T = 600
      for (let t = 0; t < T; t++) {
        x[0] = 3 + Math.cos(2 * Math.PI * f * t)
        iirBandpassStep(st, x, y)
        if (t >= T - 100) peak = Math.max(peak, Math.abs(y[0]!))
      }
      const g = iirBandpassGain(f)
      expect(peak).toBeCloseTo(g, 2)
    }
    expect(iirBandpassGain(0)).toBeLessThan(1e-12)
    // Default r1 0.4 / r2 0.05: peak ≈ 0.81 near 0.03 cycles/frame, DC and Nyquist attenuated.
    expect(iirBandpassGain(0.03)).toBeGreaterThan(0.8)
    expect(iirBandpassGain(0.5)).toBeLessThan(0.25)
    expect(iirBandpassGain(0.0005)).toBeLessThan(0.06)
  })

  it('ideal band-pass keeps exactly the in-band DFT bins', () => {
    const T = 40
    const fps = 40 // 1 Hz per bin
    const series = Array.from({ length: T }, (_, t) => {
      const s = new Float32Array(2)
      const w = (2 * Math.PI * t) / T
      s[0] = 10 + Math.cos(2 * w) + 0.5 * Math.sin(5 * w + 0.3) + 2 * Math.cos(9 * w)
      s[1] = Math.cos(20 * w) + Math.sin(5 * w)
      return s
    })
    expect(idealBandpassBins(T, { fps, low: 4, high: 6 })).toEqual([4, 5, 6])
    idealBandpassInPlace(series, { fps, low: 4, high: 6 })
    for (let t = 0; t < T; t++) {
      const w = (2 * Math.PI * t) / T
      expect(series[t]![0]).toBeCloseTo(0.5 * Math.sin(5 * w + 0.3), 4)
      expect(series[t]![1]).toBeCloseTo(Math.sin(5 * w), 4)
    }
  })
})
