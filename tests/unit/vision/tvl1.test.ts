import { beforeAll, describe, expect, it } from 'vitest'
import { endPointError, type GrayImage } from '../../../src/main/vision/image'
import { TVL1_DEFAULTS, TVL1_IPOL_PRESET, tvl1Flow } from '../../../src/main/vision/tvl1'
import { interiorMask, loadFace, makePair, smoothFlow, translationFlow } from './synthetic'

describe('tvl1Flow', () => {
  let face: GrayImage
  beforeAll(async () => {
    face = await loadFace(96, 96)
  })
  const mask = interiorMask(96, 96, 6)

  it('has OpenCV DualTVL1OpticalFlow defaults', () => {
    expect(TVL1_DEFAULTS).toMatchObject({
      tau: 0.25,
      lambda: 0.15,
      theta: 0.3,
      nscales: 5,
      warps: 5,
      epsilon: 0.01,
      innerIterations: 30,
      outerIterations: 10,
      scaleStep: 0.8,
      gamma: 0,
      medianFiltering: 5,
    })
    expect(TVL1_IPOL_PRESET).toMatchObject({ scaleStep: 0.5, innerIterations: 300, presmoothingSigma: 0.8 })
  })

  it('returns zero flow on identical frames', () => {
    const flow = tvl1Flow(face, face)
    let max = 0
    for (let i = 0; i < flow.u.length; i++) max = Math.max(max, Math.abs(flow.u[i]!), Math.abs(flow.v[i]!))
    expect(max).toBeLessThan(1e-3)
  })

  it('recovers a sub-pixel translation', () => {
    const truth = translationFlow(96, 96, 1.3, -0.6)
    const { i0, i1 } = makePair(face, truth)
    const flow = tvl1Flow(i0, i1)
    expect(endPointError(flow, truth, mask)).toBeLessThan(0.08)
  })

  it('recovers a smooth non-rigid warp (OpenCV defaults and IPOL preset)', () => {
    const truth = smoothFlow(96, 96, 1.5)
    const { i0, i1 } = makePair(face, truth)
    expect(endPointError(tvl1Flow(i0, i1), truth, mask)).toBeLessThan(0.1)
    expect(endPointError(tvl1Flow(i0, i1, TVL1_IPOL_PRESET), truth, mask)).toBeLessThan(0.1)
    expect(endPointError(tvl1Flow(i0, i1, { interpolation: 'bilinear' }), truth, mask)).toBeLessThan(0.15)
  })

  it('handles the illumination term (gamma) and an initial flow', () => {
    const truth = translationFlow(96, 96, 0.8, 0.4)
    const { i0, i1 } = makePair(face, truth)
    const brighter = { ...i1, data: i1.data.map((v) => v + 6) }
    expect(endPointError(tvl1Flow(i0, brighter, { gamma: 0.5, nscales: 1, warps: 2, outerIterations: 3 }), truth, mask)).toBeLessThan(0.2)
    const warm = tvl1Flow(i0, i1, { initialFlow: truth, nscales: 1, warps: 2 })
    expect(endPointError(warm, truth, mask)).toBeLessThan(0.08)
  })

  it('reports progress per warping and validates its input', () => {
    const calls: Array<[number, number]> = []
    tvl1Flow(face, face, { nscales: 2, warps: 3, onProgress: (d, t) => calls.push([d, t]) })
    expect(calls).toEqual([
      [1, 6],
      [2, 6],
      [3, 6],
      [4, 6],
      [5, 6],
      [6, 6],
    ])
    expect(() => tvl1Flow(face, { width: 4, height: 4, data: new Float32Array(16) })).toThrow(/size/)
    expect(() => tvl1Flow(face, face, { medianFiltering: 4 })).toThrow(/odd/)
  })
})

describe('tvl1Flow kernels', () => {
  it('WebAssembly SIMD and TypeScript kernels agree (odd sizes, both interpolations, median 3 and 5)', async () => {
    const face = await loadFace(45, 37)
    const truth = smoothFlow(45, 37, 1.2)
    const { i0, i1 } = makePair(face, truth)
    for (const options of [{}, { medianFiltering: 3 }, { interpolation: 'bilinear' as const }, { medianFiltering: 0, nscales: 1 }]) {
      const a = tvl1Flow(i0, i1, { ...options, implementation: 'js' })
      const b = tvl1Flow(i0, i1, { ...options, implementation: 'wasm' })
      expect(endPointError(a, b)).toBeLessThan(1e-3)
    }
  })
})

describe('tvl1Flow workspace', () => {
  it('gives the same bits on a reused WebAssembly workspace as on a fresh one, whatever ran on it before', async () => {
    const pair = async (w: number, h: number, amplitude: number) => makePair(await loadFace(w, h), smoothFlow(w, h, amplitude))
    const small = await pair(45, 37, 1.2)
    const large = await pair(112, 112, 2.5)
    const other = await pair(45, 37, 0.6)
    // Fresh: a workspace of another size in between makes each of these a new one.
    const fresh = [small, large, other].map(({ i0, i1 }) => tvl1Flow(i0, i1, { implementation: 'wasm' }))
    // Reused: the same size back to back, after other flows (and other options) ran on the workspace.
    tvl1Flow(small.i1, small.i0, { implementation: 'wasm', medianFiltering: 3, nscales: 2 })
    const reused = [small, other].map(({ i0, i1 }) => tvl1Flow(i0, i1, { implementation: 'wasm' }))
    tvl1Flow(large.i1, large.i0, { implementation: 'wasm', warps: 2 })
    const reusedLarge = tvl1Flow(large.i0, large.i1, { implementation: 'wasm' })
    for (const [a, b] of [[fresh[0]!, reused[0]!], [fresh[2]!, reused[1]!], [fresh[1]!, reusedLarge]] as const) {
      expect(Buffer.from(b.u.buffer)).toEqual(Buffer.from(a.u.buffer))
      expect(Buffer.from(b.v.buffer)).toEqual(Buffer.from(a.v.buffer))
    }
  })
})
