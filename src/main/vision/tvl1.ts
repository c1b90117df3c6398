/**
 * TV-L1 optical flow.
 *
 * C. Zach, T. Pock, H. Bischof, "A Duality Based Approach for Realtime TV-L1 Optical Flow",
 * DAGM 2007; J. Sánchez, E. Meinhardt-Llopis, G. Facciolo, "TV-L1 Optical Flow Estimation",
 * IPOL 3 (2013) 137–150. The loop structure and defaults follow OpenCV's `DualTVL1OpticalFlow`
 * (coarse-to-fine pyramid, `warps` warpings per scale, each running up to `outerIterations` ×
 * `innerIterations` primal–dual steps with a median filter of the flow before every outer
 * iteration), so results agree with it on the same input.
 *
 * Intensities are expected on the 0–255 scale (λ is tuned for it, as in OpenCV and IPOL).
 */
import { centralGradients, createFlow, gaussianBlur, resizeArea, resizeBilinear, type FlowField, type GrayImage } from './image'
import { primalDualStepGamma } from './tvl1-gamma'
import { medianFilterInPlace, primalDualStep, warpAndLinearise } from './tvl1-js'
import { TVL1_DEFAULTS, type Tvl1Options } from './tvl1-options'
import { warpAndLineariseOpenCv } from './tvl1-remap'
import { solveScaleWasm, WasmWorkspace, wasmWorkspace } from './tvl1-wasm'

export { TVL1_DEFAULTS, TVL1_FLOW_PRESET, TVL1_IPOL_PRESET, type Tvl1Options } from './tvl1-options'

/** Smallest side of a pyramid scale, as in OpenCV. */
const MIN_SCALE_SIDE = 16

/**
 * Dense TV-L1 optical flow from `i0` to `i1` (pixel (x, y) of i0 moves to (x + u, y + v) in i1).
 */
export function tvl1Flow(i0: GrayImage, i1: GrayImage, options: Partial<Tvl1Options> = {}): FlowField {
  const o: Tvl1Options = { ...TVL1_DEFAULTS, ...options }
  checkOptions(o, i0, i1)

  // Pyramid: level 0 is the input; each next level is round(size · scaleStep), OpenCV's resize rule.
  let f0 = i0
  let f1 = i1
  if (o.presmoothingSigma > 0) {
    f0 = gaussianBlur(i0, o.presmoothingSigma)
    f1 = gaussianBlur(i1, o.presmoothingSigma)
  }
  const I0s: GrayImage[] = [f0]
  const I1s: GrayImage[] = [f1]
  const antiAlias = o.pyramidSmoothing ? 0.6 * Math.sqrt(1 / (o.scaleStep * o.scaleStep) - 1) : 0
  const pyramidStep = o.opencvNumerics ? 1 / o.scaleStep : undefined
  for (let s = 1; s < o.nscales; s++) {
    const prev0 = I0s[s - 1]!
    const w = Math.round(prev0.width * o.scaleStep)
    const h = Math.round(prev0.height * o.scaleStep)
    if (w < MIN_SCALE_SIDE || h < MIN_SCALE_SIDE) break
    I0s.push(resizeBilinear(antiAlias > 0 ? gaussianBlur(prev0, antiAlias) : prev0, w, h, pyramidStep))
    const prev1 = I1s[s - 1]!
    I1s.push(resizeBilinear(antiAlias > 0 ? gaussianBlur(prev1, antiAlias) : prev1, w, h, pyramidStep))
  }
  const nscales = I0s.length

  // Initial flow at the coarsest scale.
  const coarsest = I0s[nscales - 1]!
  let flow = createFlow(coarsest.width, coarsest.height)
  /** u3 of the illumination term (γ ≠ 0), carried across scales like the flow; empty otherwise. */
  let illumination: Float32Array = new Float32Array(o.gamma !== 0 ? coarsest.width * coarsest.height : 0)
  if (o.initialFlow) {
    const { u, v } = o.initialFlow
    const kx = coarsest.width / i0.width
    const ky = coarsest.height / i0.height
    flow = {
      width: coarsest.width,
      height: coarsest.height,
      u: resizeArea({ width: i0.width, height: i0.height, data: u }, coarsest.width, coarsest.height).data.map((a) => a * kx),
      v: resizeArea({ width: i0.width, height: i0.height, data: v }, coarsest.width, coarsest.height).data.map((a) => a * ky),
    }
  }

  const useWasm = o.implementation === 'wasm' && o.gamma === 0 && o.medianFiltering <= 5
  const ws = useWasm ? wasmWorkspace(i0.width, i0.height) : new Tvl1Workspace(i0.width * i0.height, o.gamma !== 0, o.medianFiltering)
  const totalWarps = nscales * o.warps
  let doneWarps = 0
  const progress = o.onProgress
    ? () => {
        doneWarps++
        o.onProgress!(doneWarps, totalWarps)
      }
    : undefined

  for (let s = nscales - 1; s >= 0; s--) {
    if (ws instanceof WasmWorkspace) solveScaleWasm(I0s[s]!, I1s[s]!, flow, ws, o, progress)
    else solveScale(I0s[s]!, I1s[s]!, flow, illumination, ws, o, progress)
    if (s === 0) break
    // Zoom the flow to the next finer scale and rescale the vectors by 1/scaleStep (as OpenCV does).
    const next = I0s[s - 1]!
    flow = scaleFlow(flow, next.width, next.height, 1 / o.scaleStep)
    // The illumination variable is zoomed but not rescaled (OpenCV).
    if (illumination.length > 0) {
      illumination = resizeBilinear({ width: I0s[s]!.width, height: I0s[s]!.height, data: illumination }, next.width, next.height).data
    }
  }
  return flow
}

/** Bilinear resize of both components, vectors multiplied by `factor`. */
function scaleFlow(flow: FlowField, width: number, height: number, factor: number): FlowField {
  const u = resizeBilinear({ width: flow.width, height: flow.height, data: flow.u }, width, height).data
  const v = resizeBilinear({ width: flow.width, height: flow.height, data: flow.v }, width, height).data
  for (let i = 0; i < u.length; i++) {
    u[i] = u[i]! * factor
    v[i] = v[i]! * factor
  }
  return { width, height, u, v }
}

/** Buffers sized for the finest scale, reused by every scale (views of the first w·h values). */
class Tvl1Workspace {
  readonly I1wx: Float32Array
  readonly I1wy: Float32Array
  readonly grad: Float32Array
  readonly rhoc: Float32Array
  readonly p11: Float32Array
  readonly p12: Float32Array
  readonly p21: Float32Array
  readonly p22: Float32Array
  readonly p31: Float32Array
  readonly p32: Float32Array
  readonly medianTmp: Float32Array
  readonly medianWindow: Float64Array

  constructor(n: number, gamma: boolean, median: number) {
    this.I1wx = new Float32Array(n)
    this.I1wy = new Float32Array(n)
    this.grad = new Float32Array(n)
    this.rhoc = new Float32Array(n)
    this.p11 = new Float32Array(n)
    this.p12 = new Float32Array(n)
    this.p21 = new Float32Array(n)
    this.p22 = new Float32Array(n)
    const ng = gamma ? n : 0
    this.p31 = new Float32Array(ng)
    this.p32 = new Float32Array(ng)
    this.medianTmp = new Float32Array(median > 1 ? n : 0)
    this.medianWindow = new Float64Array(median > 1 ? median * median : 0)
  }
}

/** One scale of IPOL Algorithm 1 / OpenCV's `procOneScale`; updates `flow` (and `u3` when γ ≠ 0) in place. */
function solveScale(
  I0: GrayImage,
  I1: GrayImage,
  flow: FlowField,
  u3: Float32Array,
  ws: Tvl1Workspace,
  o: Tvl1Options,
  progress: (() => void) | undefined,
): void {
  const { width: w, height: h } = I0
  const n = w * h
  const { gx: I1x, gy: I1y } = centralGradients(I1)
  const u1 = flow.u
  const u2 = flow.v
  const useGamma = o.gamma !== 0
  const I1wx = ws.I1wx.subarray(0, n)
  const I1wy = ws.I1wy.subarray(0, n)
  const grad = ws.grad.subarray(0, n)
  const rhoc = ws.rhoc.subarray(0, n)
  const p11 = ws.p11.subarray(0, n)
  const p12 = ws.p12.subarray(0, n)
  const p21 = ws.p21.subarray(0, n)
  const p22 = ws.p22.subarray(0, n)
  p11.fill(0)
  p12.fill(0)
  p21.fill(0)
  p22.fill(0)
  const p31 = ws.p31.subarray(0, useGamma ? n : 0)
  const p32 = ws.p32.subarray(0, useGamma ? n : 0)
  p31.fill(0)
  p32.fill(0)

  const scaledEpsilon = o.epsilon * o.epsilon * n
  const lt = o.lambda * o.theta
  const taut = o.tau / o.theta
  const bicubic = o.interpolation === 'bicubic'

  for (let warp = 0; warp < o.warps; warp++) {
    // I1(x + u0), its gradient, |∇I1|² and the constant part of ρ (IPOL eq. 13).
    if (o.opencvNumerics && bicubic) warpAndLineariseOpenCv(I0.data, I1.data, I1x, I1y, w, h, u1, u2, I1wx, I1wy, grad, rhoc, 0, w)
    else warpAndLinearise(I0.data, I1.data, I1x, I1y, w, h, bicubic, u1, u2, I1wx, I1wy, grad, rhoc, 0, w)
    let error = Infinity
    for (let outer = 0; error > scaledEpsilon && outer < o.outerIterations; outer++) {
      if (o.medianFiltering > 1) {
        medianFilterInPlace(u1, w, h, o.medianFiltering, ws.medianTmp, ws.medianWindow)
        medianFilterInPlace(u2, w, h, o.medianFiltering, ws.medianTmp, ws.medianWindow)
      }
      for (let inner = 0; error > scaledEpsilon && inner < o.innerIterations; inner++) {
        error = useGamma
          ? primalDualStepGamma(I1wx, I1wy, grad, rhoc, u1, u2, u3, p11, p12, p21, p22, p31, p32, w, h, lt, o.theta, taut, o.gamma)
          : primalDualStep(I1wx, I1wy, grad, rhoc, u1, u2, p11, p12, p21, p22, w, h, lt, o.theta, taut)
      }
    }
    progress?.()
  }
}

function checkOptions(o: Tvl1Options, i0: GrayImage, i1: GrayImage): void {
  if (i0.width !== i1.width || i0.height !== i1.height) throw new RangeError('tvl1Flow: frames differ in size')
  if (i0.width < 3 || i0.height < 3) throw new RangeError('tvl1Flow: frames must be at least 3×3')
  if (!(o.tau > 0 && o.lambda > 0 && o.theta > 0)) throw new RangeError('tvl1Flow: tau, lambda and theta must be > 0')
  if (!(o.scaleStep > 0 && o.scaleStep < 1)) throw new RangeError('tvl1Flow: scaleStep must be in (0, 1)')
  if (!(o.nscales >= 1 && o.warps >= 1 && o.innerIterations >= 1 && o.outerIterations >= 1)) {
    throw new RangeError('tvl1Flow: nscales, warps and iteration counts must be ≥ 1')
  }
  if (o.medianFiltering > 1 && o.medianFiltering % 2 === 0) throw new RangeError('tvl1Flow: medianFiltering must be odd')
  if (o.initialFlow && (o.initialFlow.width !== i0.width || o.initialFlow.height !== i0.height)) {
    throw new RangeError('tvl1Flow: initialFlow size differs from the frames')
  }
}
