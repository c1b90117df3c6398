import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import type { RgbImage } from '../../../src/main/vision/color'
import type { GrayImage } from '../../../src/main/vision/image'
import { eulerianLevelAlphas, magnifyEulerian, magnifyEulerianRgb } from '../../../src/main/vision/magnify-eulerian'
import { magnifyRiesz } from '../../../src/main/vision/magnify-riesz'
import { synthFixture } from '../../helpers/synth-fixture'
import { gratingClip, gratingShift } from '../../helpers/vision-signals'

// A vertical grating (wavelength 32 px) translating by δ(t) = d·sin(2π·2t/T): two cycles over the clip,
// i.e. exactly DFT bin 2, which an ideal band-pass [1.5, 2.5] Hz at fps = T passes whole.
const T = 32
const LAMBDA = 32
const ideal = { kind: 'ideal' as const, fps: T, low: 1.5, high: 2.5 }
const delta = (d: number) => (t: number) => d * Math.sin((2 * Math.PI * 2 * t) / T)
const PEAK = T / 8 // sin = 1

describe('Eulerian magnification', () => {
  it('magnifies a 0.1 px translation to ≈ (1+α)·0.1 px (α = 9, within 5 %)', () => {
    const frames = gratingClip(96, 64, LAMBDA, T, delta(0.1))
    const out = magnifyEulerian(frames, { alpha: 9, filter: ideal, skipExtremeLevels: false, lambdaC: 1, levels: 5 })
    const measured = gratingShift(out[0]!, out[PEAK]!, LAMBDA) - gratingShift(out[0]!, out[0]!, LAMBDA)
    const truth = delta(0.1)(PEAK) - delta(0.1)(0)
    expect(Math.abs(measured / truth - 10) / 10).toBeLessThan(0.05)
  })

  it('λc attenuates the fine levels and leaves the coarse ones at α', () => {
    const a = eulerianLevelAlphas(112, 112, { alpha: 20, lambdaC: 16 })
    expect(a).toHaveLength(6)
    expect(a[0]).toBe(0) // finest band and residual skipped (reference code)
    expect(a[5]).toBe(0)
    expect(a[4]).toBe(20)
    expect(a[3]).toBe(20)
    expect(a[1]!).toBeGreaterThan(0)
    expect(a[1]!).toBeLessThan(a[2]!)
    for (const v of a) expect(v).toBeGreaterThanOrEqual(0)
  })

  it('IIR default filter leaves a static clip unchanged', () => {
    const frames = gratingClip(64, 32, LAMBDA, 8, () => 0)
    const out = magnifyEulerian(frames, { alpha: 20 })
    for (let t = 0; t < 8; t++)
      for (let p = 0; p < out[t]!.data.length; p += 97) expect(out[t]!.data[p]).toBeCloseTo(frames[t]!.data[p]!, 3)
  })

  it('colour: luminance magnified, chrominance attenuated', () => {
    const gray = gratingClip(64, 32, LAMBDA, T, delta(0.1))
    const rgb: RgbImage[] = gray.map((g) => {
      const data = new Float32Array(g.data.length * 3)
      for (let p = 0; p < g.data.length; p++) {
        data[3 * p] = g.data[p]!
        data[3 * p + 1] = g.data[p]!
        data[3 * p + 2] = g.data[p]!
      }
      return { width: g.width, height: g.height, data }
    })
    const out = magnifyEulerianRgb(rgb, { alpha: 9, filter: ideal, skipExtremeLevels: false, lambdaC: 1, levels: 5 })
    const red: GrayImage[] = out.map((f) => ({ width: f.width, height: f.height, data: f.data.filter((_, i) => i % 3 === 0) }))
    const measured = gratingShift(red[0]!, red[PEAK]!, LAMBDA)
    expect(Math.abs(measured / 0.1 - 10) / 10).toBeLessThan(0.05)
  })
})

describe('Riesz (phase-based) magnification', () => {
  it.each([
    [0.1, 9],
    [0.2, 9],
    [0.25, 11],
  ])('magnifies a %f px translation by 1+α (α = %i) within 5 %', (d, alpha) => {
    // Wider than the Eulerian case: the Riesz transform is non-local, so the reflected borders of
    // the small coarse levels bias the phase of narrow images by a few per cent.
    const frames = gratingClip(192, 32, LAMBDA, T, delta(d))
    const out = magnifyRiesz(frames, { alpha, filter: ideal, levels: 5 })
    const measured = gratingShift(out[0]!, out[PEAK]!, LAMBDA) - gratingShift(out[0]!, out[0]!, LAMBDA)
    const truth = delta(d)(PEAK)
    expect(Math.abs(measured / truth - (1 + alpha)) / (1 + alpha)).toBeLessThan(0.05)
  })
})

describe('me-studio magnify', () => {
  it('writes the magnified frames of a clip as PNGs (face crop, Riesz)', async () => {
    const ds = await synthFixture({})
    const sample = ds.truth.samples[0]!
    const out = mkdtempSync(join(tmpdir(), 'me-magnify-'))
    try {
      const args = [
        'magnify',
        ds.clipPath(sample),
        '--fps',
        '200',
        '--alpha',
        '8',
        '--method',
        'riesz',
        '--count',
        '8',
        '--crop',
        'cbamnet',
        '--out',
        out,
        '--json',
      ]
      const { code, stdout, stderr } = await runCliCaptured(args, ds.root)
      expect(code, stderr).toBe(0)
      const summary = JSON.parse(stdout) as { frames: number; width: number; height: number; method: string }
      expect(summary).toMatchObject({ frames: 8, width: 64, height: 64, method: 'riesz' })
      const files = readdirSync(out).sort()
      expect(files).toHaveLength(8)
      expect(files[0]).toBe('00000.png')
      const meta = await sharp(join(out, files[7]!)).metadata()
      expect([meta.width, meta.height]).toEqual([64, 64])
      expect((await runCliCaptured(['magnify', ds.clipPath(sample), '--alpha', '5', '--method', 'nope', '--out', out], ds.root)).code).toBe(2)
      // The folder holds frames now: writing into it again needs --force (refused before any work).
      const again = await runCliCaptured(['magnify', ds.clipPath(sample), '--alpha', '5', '--out', out], ds.root)
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/is not empty: .*--force.*\[export\/target-exists\]/)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }, 60_000)
})
