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
import { centralGradients, createFlow, KEYS_A, gaussianBlur, resizeArea, resizeBilinear, type FlowField, type GrayImage } from './image'
import { TVL1_KERNELS_WASM_BASE64 } from './wasm/tvl1-kernels'

export interface Tvl1Options {
  /** Time step τ of the dual update (Chambolle's projection, IPOL eq. 19); τ ≤ 1/8 guarantees convergence, 0.25 works in practice (OpenCV, IPOL). */
  tau: number
  /** Weight λ of the L1 data term; smaller gives smoother flow. */
  lambda: number
  /** Coupling θ between the primal flow u and the auxiliary v (IPOL eq. 10). */
  theta: number
  /** Number of pyramid scales (capped so the coarsest side stays ≥ 16 px, as in OpenCV). */
  nscales: number
  /** Warpings of I1 towards I0 per scale (IPOL §2.3). */
  warps: number
  /** Stop when the mean squared flow update of one iteration is ≤ ε² (IPOL eq. 26). */
  epsilon: number
  /** Primal–dual iterations between two median filterings. */
  innerIterations: number
  /** Median filterings (outer iterations) per warping. */
  outerIterations: number
  /** Downscaling factor between pyramid scales (IPOL's zoom factor η). */
  scaleStep: number
  /** Weight of the illumination-change term (Chambolle–Pock 2011, OpenCV's `gamma`); 0 disables it. */
  gamma: number
  /** Side of the square median filter applied to the flow before every outer iteration; ≤ 1 disables it. */
  medianFiltering: number
  /** σ of a Gaussian applied to both frames before the pyramid (IPOL: 0.8); 0 for none (OpenCV). */
  presmoothingSigma: number
  /** Gaussian anti-aliasing before each downscaling, σ = 0.6·√(1/η² − 1) (IPOL's zoom-out); false in OpenCV. */
  pyramidSmoothing: boolean
  /** Interpolation used when warping I1 and its gradient: bicubic (Catmull–Rom, as IPOL; OpenCV uses Keys a = −0.75) or bilinear. */
  interpolation: 'bicubic' | 'bilinear'
  /**
   * Kernels: `wasm` (WebAssembly SIMD, 4 pixels per instruction) or `js` (plain TypeScript, the
   * readable reference). The JS kernels also serve γ ≠ 0 and median filters larger than 5.
   */
  implementation: 'wasm' | 'js'
  /**
   * Reproduce OpenCV's numerics where they differ from the exact computation: pyramid levels
   * resized with the nominal `scaleStep` (cv::resize with fx = fy = scaleStep, whereas the exact
   * mode maps with the rounded size ratio), and I1 and its gradient warped as cv::remap with
   * INTER_CUBIC does — coordinates rounded to 1/32 px, Keys a = −0.75 weights in float, zero
   * outside the image (BORDER_CONSTANT). Model inputs use it, so they match what the models were
   * trained on (models/preprocess.py); on small inputs (STSTNet's 28×28, flows of a few hundredths
   * of a pixel) these details are as large as the flow itself.
   */
  opencvNumerics: boolean
  /** Flow to start from at the finest scale (downscaled to the coarser ones); zero when absent. */
  initialFlow?: FlowField
  /** Called after every warping with the count done and the total, for job progress. */
  onProgress?: (done: number, total: number) => void
}

/** Defaults of OpenCV's `cv::optflow::DualTVL1OpticalFlow::create()`. */
export const TVL1_DEFAULTS: Readonly<Tvl1Options> = Object.freeze({
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
  presmoothingSigma: 0,
  pyramidSmoothing: false,
  interpolation: 'bicubic' as const,
  implementation: 'wasm' as const,
  opencvNumerics: false,
})

/**
 * The parameters of the IPOL reference implementation (Sánchez et al. 2013): zoom factor 0.5
 * down to the coarsest 16-px scale, up to 300 iterations per warping, presmoothing σ 0.8, no
 * median filtering.
 */
export const TVL1_IPOL_PRESET: Readonly<Partial<Tvl1Options>> = Object.freeze({
  scaleStep: 0.5,
  nscales: 100,
  warps: 5,
  innerIterations: 300,
  outerIterations: 1,
  medianFiltering: 0,
  presmoothingSigma: 0.8,
  pyramidSmoothing: true,
})

/**
 * What `me-studio flow` runs: OpenCV's defaults, plus IPOL's presmoothing (σ 0.8) and scales down
 * to the coarsest 16-px side. On real photos the presmoothing removes the aliasing the
 * linearisation trips on (with OpenCV's defaults alone, some 112² pairs came out less accurate
 * than OpenCV's: 0.098 vs 0.094 px), and the extra coarse scales — cheap, a few hundred pixels
 * each — carry displacements of 10 px that 5 scales of 0.8 cannot (EPE 1.5 px → 0.03 px at 112²).
 * bench/tvl1.bench.ts measures it on held-out pairs; model inputs keep `TVL1_DEFAULTS` with
 * `opencvNumerics`.
 */
export const TVL1_FLOW_PRESET: Readonly<Partial<Tvl1Options>> = Object.freeze({
  nscales: 100,
  presmoothingSigma: 0.8,
})

/** Smallest side of a pyramid scale, as in OpenCV. */
const MIN_SCALE_SIDE = 16
/** FLT_EPSILON: below this |∇I1|² the thresholding step leaves the flow unchanged. */
const FLT_EPSILON = 1.1920928955078125e-7

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
  const ws = useWasm ? new WasmWorkspace(i0.width, i0.height) : new Tvl1Workspace(i0.width * i0.height, o.gamma !== 0, o.medianFiltering)
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

/** Exports of the generated kernels (scripts/build-tvl1-wasm.mjs); pointers are byte offsets. */
interface Tvl1Kernels {
  pd_step(
    ix: number,
    iy: number,
    rhoc: number,
    u1: number,
    u2: number,
    p11: number,
    p12: number,
    p21: number,
    p22: number,
    w: number,
    h: number,
    stride: number,
    lt: number,
    theta: number,
    taut: number,
  ): number
  warp(
    I0: number,
    I1: number,
    I1x: number,
    I1y: number,
    u1: number,
    u2: number,
    ix: number,
    iy: number,
    rhoc: number,
    w: number,
    h: number,
    stride: number,
  ): void
  /** `warpAndLineariseOpenCv` (same numbers) on padded planes; `tab` points at `REMAP_CUBIC_1D`. */
  warp_ocv(
    I0: number,
    I1: number,
    I1x: number,
    I1y: number,
    u1: number,
    u2: number,
    ix: number,
    iy: number,
    rhoc: number,
    w: number,
    h: number,
    stride: number,
    tab: number,
  ): void
  median3(dst: number, src: number, w: number, h: number, stride: number): void
  median5(dst: number, src: number, w: number, h: number, stride: number): void
}

/** The part of the WebAssembly JS API used here (TypeScript declares it only with the DOM lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer }
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly

let kernelsModule: object | undefined

/** The kernels, compiled once per thread (immutable code; memory and instance are per call). */
function compiledKernels(): object {
  if (!kernelsModule) {
    const bin = atob(TVL1_KERNELS_WASM_BASE64)
    const bytes = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
    kernelsModule = new wasmApi.Module(bytes)
  }
  return kernelsModule
}

const PLANE = {
  ix: 0,
  iy: 1,
  grad: 2,
  rhoc: 3,
  u1: 4,
  u2: 5,
  p11: 6,
  p12: 7,
  p21: 8,
  p22: 9,
  tmp: 10,
  I0: 11,
  I1: 12,
  I1x: 13,
  I1y: 14,
} as const
const PLANE_COUNT = 15

/**
 * WebAssembly memory holding one padded plane per variable, sized for the finest scale. Pixel
 * (x, y) of a scale is at float index `base + y·stride + x` (base = stride + 4): a zero row above
 * and zero columns to the left make the backward divergence need no border tests, and spare
 * columns to the right absorb the 4-wide vectors' overhang and the replicated last column.
 */
class WasmWorkspace {
  readonly stride: number
  readonly base: number
  readonly planeFloats: number
  readonly kernels: Tvl1Kernels
  readonly planes: Float32Array[]

  /** Byte offset of the copy of `REMAP_CUBIC_1D`, after the planes. */
  readonly remapTable: number

  constructor(width: number, height: number) {
    this.stride = (width + 8 + 3) & ~3
    this.base = this.stride + 4
    this.planeFloats = this.stride * (height + 6)
    this.remapTable = this.planeFloats * 4 * PLANE_COUNT
    const bytes = this.remapTable + REMAP_CUBIC_1D.byteLength
    const memory = new wasmApi.Memory({ initial: Math.ceil(bytes / 65536) })
    const instance = new wasmApi.Instance(compiledKernels(), { env: { memory } })
    this.kernels = instance.exports as unknown as Tvl1Kernels
    const all = new Float32Array(memory.buffer)
    this.planes = Array.from({ length: PLANE_COUNT }, (_, k) => all.subarray(k * this.planeFloats, (k + 1) * this.planeFloats))
    all.set(REMAP_CUBIC_1D, this.remapTable / 4)
  }

  ptr(plane: number): number {
    return plane * this.planeFloats * 4
  }

  /** Copies a dense image into a plane, replicating 4 columns on each side (bicubic taps read them). */
  load(plane: number, data: Float32Array, w: number, h: number): void {
    const dst = this.planes[plane]!
    for (let y = 0; y < h; y++) {
      const to = this.base + y * this.stride
      dst.set(data.subarray(y * w, y * w + w), to)
      dst.fill(data[y * w]!, to - 4, to)
      dst.fill(data[y * w + w - 1]!, to + w, to + w + 4)
    }
  }

  /** Median of a flow plane in place: replicated-border copy into `tmp`, then the SIMD network. */
  median(plane: number, w: number, h: number, k: number): void {
    const u = this.planes[plane]!
    const tmp = this.planes[PLANE.tmp]!
    const S = this.stride
    for (let yy = -2; yy < h + 2; yy++) {
      const from = this.base + (yy < 0 ? 0 : yy >= h ? h - 1 : yy) * S
      const to = (yy + 2) * S + 4
      tmp.set(u.subarray(from, from + w), to)
      tmp[to - 2] = tmp[to - 1] = u[from]!
      tmp[to + w] = tmp[to + w + 1] = u[from + w - 1]!
    }
    if (k === 5) this.kernels.median5(this.ptr(plane), this.ptr(PLANE.tmp), w, h, S)
    else this.kernels.median3(this.ptr(plane), this.ptr(PLANE.tmp), w, h, S)
  }
}

/** `solveScale` on the WebAssembly SIMD kernels (same algorithm, same stopping rule). */
function solveScaleWasm(
  I0: GrayImage,
  I1: GrayImage,
  flow: FlowField,
  ws: WasmWorkspace,
  o: Tvl1Options,
  progress: (() => void) | undefined,
): void {
  const { width: w, height: h } = I0
  const { gx: I1x, gy: I1y } = centralGradients(I1)
  const { stride: S, base, planes, kernels } = ws
  const u1 = planes[PLANE.u1]!
  const u2 = planes[PLANE.u2]!
  for (const p of [PLANE.p11, PLANE.p12, PLANE.p21, PLANE.p22]) planes[p]!.fill(0)
  for (let y = 0; y < h; y++) {
    u1.set(flow.u.subarray(y * w, y * w + w), base + y * S)
    u2.set(flow.v.subarray(y * w, y * w + w), base + y * S)
  }
  const scaledEpsilon = o.epsilon * o.epsilon * w * h
  const lt = o.lambda * o.theta
  const taut = o.tau / o.theta
  const bicubic = o.interpolation === 'bicubic'
  const p = (k: number) => ws.ptr(k)

  if (bicubic) {
    ws.load(PLANE.I0, I0.data, w, h)
    ws.load(PLANE.I1, I1.data, w, h)
    ws.load(PLANE.I1x, I1x, w, h)
    ws.load(PLANE.I1y, I1y, w, h)
  }
  const warpPlanes = [PLANE.I0, PLANE.I1, PLANE.I1x, PLANE.I1y, PLANE.u1, PLANE.u2, PLANE.ix, PLANE.iy, PLANE.rhoc].map(p) as [number, number, number, number, number, number, number, number, number]

  for (let warp = 0; warp < o.warps; warp++) {
    if (bicubic && o.opencvNumerics) {
      kernels.warp_ocv(...warpPlanes, w, h, S, ws.remapTable)
    } else if (bicubic) {
      kernels.warp(...warpPlanes, w, h, S)
    } else {
      warpAndLinearise(
        I0.data,
        I1.data,
        I1x,
        I1y,
        w,
        h,
        false,
        u1,
        u2,
        planes[PLANE.ix]!,
        planes[PLANE.iy]!,
        planes[PLANE.grad]!,
        planes[PLANE.rhoc]!,
        base,
        S,
      )
    }
    let error = Infinity
    for (let outer = 0; error > scaledEpsilon && outer < o.outerIterations; outer++) {
      if (o.medianFiltering > 1) {
        ws.median(PLANE.u1, w, h, o.medianFiltering)
        ws.median(PLANE.u2, w, h, o.medianFiltering)
      }
      for (let inner = 0; error > scaledEpsilon && inner < o.innerIterations; inner++) {
        error = kernels.pd_step(
          p(PLANE.ix),
          p(PLANE.iy),
          p(PLANE.rhoc),
          p(PLANE.u1),
          p(PLANE.u2),
          p(PLANE.p11),
          p(PLANE.p12),
          p(PLANE.p21),
          p(PLANE.p22),
          w,
          h,
          S,
          lt,
          o.theta,
          taut,
        )
      }
    }
    progress?.()
  }
  for (let y = 0; y < h; y++) {
    flow.u.set(u1.subarray(base + y * S, base + y * S + w), y * w)
    flow.v.set(u2.subarray(base + y * S, base + y * S + w), y * w)
  }
}

/**
 * cv::remap's INTER_CUBIC weights (OpenCV's `initInterTab2D`): Keys a = −0.75 at the 32 fractions
 * k/32 in float, 4 taps each (at `k · 4`); the 2-D weights are their float products.
 */
const REMAP_CUBIC_1D: Float32Array = (() => {
  const tab = new Float32Array(32 * 4)
  for (let k = 0; k < 32; k++) {
    const t = Math.fround(k / 32)
    const A = -0.75
    const w0 = Math.fround(((A * (t + 1) - 5 * A) * (t + 1) + 8 * A) * (t + 1) - 4 * A)
    const w1 = Math.fround(((A + 2) * t - (A + 3)) * t * t + 1)
    const w2 = Math.fround(((A + 2) * (1 - t) - (A + 3)) * (1 - t) * (1 - t) + 1)
    tab.set([w0, w1, w2, Math.fround(1 - w0 - w1 - w2)], k * 4)
  }
  return tab
})()

/** The 2-D weights, 16 per (fy, fx) pair at `(fy · 32 + fx) · 16`, row-major over the 4 × 4 taps. */
const REMAP_CUBIC_TAB: Float64Array = (() => {
  const tab = new Float64Array(32 * 32 * 16)
  for (let fy = 0; fy < 32; fy++) {
    for (let fx = 0; fx < 32; fx++) {
      for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) tab[(fy * 32 + fx) * 16 + j * 4 + k] = Math.fround(REMAP_CUBIC_1D[fy * 4 + j]! * REMAP_CUBIC_1D[fx * 4 + k]!)
    }
  }
  return tab
})()

/** Round half to even (cvRound). */
function roundEven(x: number): number {
  const r = Math.round(x)
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r
}

/**
 * `warpAndLinearise` as OpenCV computes it (`opencvNumerics`): cv::remap(…, INTER_CUBIC,
 * BORDER_CONSTANT 0) of I1, ∂xI1, ∂yI1 at the float map x + u(x) — the coordinates rounded to
 * 1/32 px, 2-D weights the float products of the tabulated Keys a = −0.75 weights, taps outside
 * the image counting as 0 (a point whose 4×4 neighbourhood is wholly outside gives 0) — then
 * OpenCV's `calcGradRho`.
 */
function warpAndLineariseOpenCv(
  I0: Float32Array,
  I1: Float32Array,
  I1x: Float32Array,
  I1y: Float32Array,
  w: number,
  h: number,
  u1: Float32Array,
  u2: Float32Array,
  I1wx: Float32Array,
  I1wy: Float32Array,
  grad: Float32Array,
  rhoc: Float32Array,
  base: number,
  stride: number,
): void {
  const tab = REMAP_CUBIC_TAB
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = base + y * stride + x
      const qx = roundEven(Math.fround(x + u1[i]!) * 32)
      const qy = roundEven(Math.fround(y + u2[i]!) * 32)
      const sx0 = (qx >> 5) - 1
      const sy0 = (qy >> 5) - 1
      const t = ((qy & 31) * 32 + (qx & 31)) * 16
      let s0 = 0
      let sx = 0
      let sy = 0
      if (sx0 >= 0 && sx0 + 3 < w && sy0 >= 0 && sy0 + 3 < h) {
        // All 16 taps inside (nearly every pixel).
        for (let j = 0, row = sy0 * w + sx0; j < 4; j++, row += w) {
          const wt = t + j * 4
          const a = tab[wt]!
          const b = tab[wt + 1]!
          const c = tab[wt + 2]!
          const d = tab[wt + 3]!
          s0 += a * I1[row]! + b * I1[row + 1]! + c * I1[row + 2]! + d * I1[row + 3]!
          sx += a * I1x[row]! + b * I1x[row + 1]! + c * I1x[row + 2]! + d * I1x[row + 3]!
          sy += a * I1y[row]! + b * I1y[row + 1]! + c * I1y[row + 2]! + d * I1y[row + 3]!
        }
      } else if (sx0 < w && sx0 + 4 > 0 && sy0 < h && sy0 + 4 > 0) {
        for (let j = 0; j < 4; j++) {
          const yy = sy0 + j
          if (yy < 0 || yy >= h) continue
          for (let k = 0; k < 4; k++) {
            const xx = sx0 + k
            if (xx < 0 || xx >= w) continue
            const weight = tab[t + j * 4 + k]!
            const at = yy * w + xx
            s0 += weight * I1[at]!
            sx += weight * I1x[at]!
            sy += weight * I1y[at]!
          }
        }
      }
      I1wx[i] = sx
      I1wy[i] = sy
      grad[i] = sx * sx + sy * sy
      rhoc[i] = s0 - sx * u1[i]! - sy * u2[i]! - I0[y * w + x]!
    }
  }
}

/**
 * Samples I1, ∂xI1, ∂yI1 at x + u(x) (replicated borders; IPOL's Neumann condition) and fills
 * I1wx, I1wy, grad = |∇I1w|² and ρ_c = I1w − ∇I1w·u0 − I0. I0, I1 and its gradient are dense
 * (stride w); u and the outputs share a layout where pixel (x, y) is at `base + y·stride + x`.
 */
function warpAndLinearise(
  I0: Float32Array,
  I1: Float32Array,
  I1x: Float32Array,
  I1y: Float32Array,
  w: number,
  h: number,
  bicubic: boolean,
  u1: Float32Array,
  u2: Float32Array,
  I1wx: Float32Array,
  I1wy: Float32Array,
  grad: Float32Array,
  rhoc: Float32Array,
  base: number,
  stride: number,
): void {
  const A = KEYS_A // Catmull–Rom (IPOL's bicubic): exact on quadratics
  const wm = w - 1
  const hm = h - 1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = base + y * stride + x
      const fx = x + u1[i]!
      const fy = y + u2[i]!
      let s0: number
      let sx: number
      let sy: number
      if (bicubic) {
        const x0 = Math.floor(fx)
        const y0 = Math.floor(fy)
        const tx = fx - x0
        const ty = fy - y0
        // Keys weights for taps at offsets −1, 0, 1, 2.
        const ax = tx + 1
        const bx = 1 - tx
        const wx0 = ((A * ax - 5 * A) * ax + 8 * A) * ax - 4 * A
        const wx1 = ((A + 2) * tx - (A + 3)) * tx * tx + 1
        const wx2 = ((A + 2) * bx - (A + 3)) * bx * bx + 1
        const wx3 = 1 - wx0 - wx1 - wx2
        const ay = ty + 1
        const by = 1 - ty
        const wy0 = ((A * ay - 5 * A) * ay + 8 * A) * ay - 4 * A
        const wy1 = ((A + 2) * ty - (A + 3)) * ty * ty + 1
        const wy2 = ((A + 2) * by - (A + 3)) * by * by + 1
        const wy3 = 1 - wy0 - wy1 - wy2
        let c0: number, c1: number, c2: number, c3: number
        let r0: number, r1: number, r2: number, r3: number
        if (x0 >= 1 && x0 + 2 <= wm) {
          c0 = x0 - 1
          c1 = x0
          c2 = x0 + 1
          c3 = x0 + 2
        } else {
          c0 = clamp(x0 - 1, wm)
          c1 = clamp(x0, wm)
          c2 = clamp(x0 + 1, wm)
          c3 = clamp(x0 + 2, wm)
        }
        if (y0 >= 1 && y0 + 2 <= hm) {
          r0 = (y0 - 1) * w
          r1 = y0 * w
          r2 = (y0 + 1) * w
          r3 = (y0 + 2) * w
        } else {
          r0 = clamp(y0 - 1, hm) * w
          r1 = clamp(y0, hm) * w
          r2 = clamp(y0 + 1, hm) * w
          r3 = clamp(y0 + 2, hm) * w
        }
        s0 =
          wy0 * (wx0 * I1[r0 + c0]! + wx1 * I1[r0 + c1]! + wx2 * I1[r0 + c2]! + wx3 * I1[r0 + c3]!) +
          wy1 * (wx0 * I1[r1 + c0]! + wx1 * I1[r1 + c1]! + wx2 * I1[r1 + c2]! + wx3 * I1[r1 + c3]!) +
          wy2 * (wx0 * I1[r2 + c0]! + wx1 * I1[r2 + c1]! + wx2 * I1[r2 + c2]! + wx3 * I1[r2 + c3]!) +
          wy3 * (wx0 * I1[r3 + c0]! + wx1 * I1[r3 + c1]! + wx2 * I1[r3 + c2]! + wx3 * I1[r3 + c3]!)
        sx =
          wy0 * (wx0 * I1x[r0 + c0]! + wx1 * I1x[r0 + c1]! + wx2 * I1x[r0 + c2]! + wx3 * I1x[r0 + c3]!) +
          wy1 * (wx0 * I1x[r1 + c0]! + wx1 * I1x[r1 + c1]! + wx2 * I1x[r1 + c2]! + wx3 * I1x[r1 + c3]!) +
          wy2 * (wx0 * I1x[r2 + c0]! + wx1 * I1x[r2 + c1]! + wx2 * I1x[r2 + c2]! + wx3 * I1x[r2 + c3]!) +
          wy3 * (wx0 * I1x[r3 + c0]! + wx1 * I1x[r3 + c1]! + wx2 * I1x[r3 + c2]! + wx3 * I1x[r3 + c3]!)
        sy =
          wy0 * (wx0 * I1y[r0 + c0]! + wx1 * I1y[r0 + c1]! + wx2 * I1y[r0 + c2]! + wx3 * I1y[r0 + c3]!) +
          wy1 * (wx0 * I1y[r1 + c0]! + wx1 * I1y[r1 + c1]! + wx2 * I1y[r1 + c2]! + wx3 * I1y[r1 + c3]!) +
          wy2 * (wx0 * I1y[r2 + c0]! + wx1 * I1y[r2 + c1]! + wx2 * I1y[r2 + c2]! + wx3 * I1y[r2 + c3]!) +
          wy3 * (wx0 * I1y[r3 + c0]! + wx1 * I1y[r3 + c1]! + wx2 * I1y[r3 + c2]! + wx3 * I1y[r3 + c3]!)
      } else {
        const cx = fx < 0 ? 0 : fx > wm ? wm : fx
        const cy = fy < 0 ? 0 : fy > hm ? hm : fy
        const x0 = Math.floor(cx)
        const y0 = Math.floor(cy)
        const x1 = x0 < wm ? x0 + 1 : x0
        const y1 = y0 < hm ? y0 + 1 : y0
        const tx = cx - x0
        const ty = cy - y0
        const a = y0 * w + x0
        const b = y0 * w + x1
        const c = y1 * w + x0
        const d = y1 * w + x1
        const w00 = (1 - tx) * (1 - ty)
        const w01 = tx * (1 - ty)
        const w10 = (1 - tx) * ty
        const w11 = tx * ty
        s0 = w00 * I1[a]! + w01 * I1[b]! + w10 * I1[c]! + w11 * I1[d]!
        sx = w00 * I1x[a]! + w01 * I1x[b]! + w10 * I1x[c]! + w11 * I1x[d]!
        sy = w00 * I1y[a]! + w01 * I1y[b]! + w10 * I1y[c]! + w11 * I1y[d]!
      }
      I1wx[i] = sx
      I1wy[i] = sy
      grad[i] = sx * sx + sy * sy
      rhoc[i] = s0 - sx * u1[i]! - sy * u2[i]! - I0[y * w + x]!
    }
  }
}

function clamp(i: number, max: number): number {
  return i < 0 ? 0 : i > max ? max : i
}

/**
 * One primal–dual iteration, fused into a single sweep (IPOL Algorithm 1, lines 10–14):
 * v = TH(u) (eq. 15), u = v + θ·div p (eq. 16), p = (p + τ/θ·∇u) / (1 + τ/θ·|∇u|) (eq. 19).
 * The dual update of row y−1 runs right after the primal update of row y, the first moment its
 * forward differences are known, so the result equals the unfused sequence exactly.
 * Returns Σ|u_new − u_old|².
 */
function primalDualStep(
  I1wx: Float32Array,
  I1wy: Float32Array,
  grad: Float32Array,
  rhoc: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  w: number,
  h: number,
  lt: number,
  theta: number,
  taut: number,
): number {
  let error = 0
  for (let y = 0; y < h; y++) {
    const row = y * w
    for (let x = 0; x < w; x++) {
      const i = row + x
      const ix = I1wx[i]!
      const iy = I1wy[i]!
      const g = grad[i]!
      const u1k = u1[i]!
      const u2k = u2[i]!
      // Thresholding step TH (IPOL eq. 15).
      const rho = rhoc[i]! + ix * u1k + iy * u2k
      const ltg = lt * g
      let d1 = 0
      let d2 = 0
      if (rho < -ltg) {
        d1 = lt * ix
        d2 = lt * iy
      } else if (rho > ltg) {
        d1 = -lt * ix
        d2 = -lt * iy
      } else if (g > FLT_EPSILON) {
        const fi = -rho / g
        d1 = fi * ix
        d2 = fi * iy
      }
      // Backward-difference divergence of p (IPOL eq. 23), p taken as 0 outside.
      let div1 = p11[i]! + p12[i]!
      let div2 = p21[i]! + p22[i]!
      if (x > 0) {
        div1 -= p11[i - 1]!
        div2 -= p21[i - 1]!
      }
      if (y > 0) {
        div1 -= p12[i - w]!
        div2 -= p22[i - w]!
      }
      const n1 = u1k + d1 + theta * div1
      const n2 = u2k + d2 + theta * div2
      u1[i] = n1
      u2[i] = n2
      error += (n1 - u1k) * (n1 - u1k) + (n2 - u2k) * (n2 - u2k)
    }
    if (y > 0) dualRow(u1, u2, p11, p12, p21, p22, w, h, y - 1, taut)
  }
  dualRow(u1, u2, p11, p12, p21, p22, w, h, h - 1, taut)
  return error
}

/** Dual update of one row from forward differences of u (zero past the last row/column). */
function dualRow(
  u1: Float32Array,
  u2: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  w: number,
  h: number,
  y: number,
  taut: number,
): void {
  const row = y * w
  const lastRow = y === h - 1
  for (let x = 0; x < w; x++) {
    const i = row + x
    const a1 = u1[i]!
    const a2 = u2[i]!
    let u1x = 0
    let u2x = 0
    let u1y = 0
    let u2y = 0
    if (x < w - 1) {
      u1x = u1[i + 1]! - a1
      u2x = u2[i + 1]! - a2
    }
    if (!lastRow) {
      u1y = u1[i + w]! - a1
      u2y = u2[i + w]! - a2
    }
    const ng1 = 1 + taut * Math.sqrt(u1x * u1x + u1y * u1y)
    const ng2 = 1 + taut * Math.sqrt(u2x * u2x + u2y * u2y)
    p11[i] = (p11[i]! + taut * u1x) / ng1
    p12[i] = (p12[i]! + taut * u1y) / ng1
    p21[i] = (p21[i]! + taut * u2x) / ng2
    p22[i] = (p22[i]! + taut * u2y) / ng2
  }
}

/**
 * The same iteration with OpenCV's illumination term: a third primal variable u3 (weight γ)
 * enters ρ = ρ_c + ∇I1·u + γ·u3 and is regularised by TV like u1 and u2.
 */
function primalDualStepGamma(
  I1wx: Float32Array,
  I1wy: Float32Array,
  grad: Float32Array,
  rhoc: Float32Array,
  u1: Float32Array,
  u2: Float32Array,
  u3: Float32Array,
  p11: Float32Array,
  p12: Float32Array,
  p21: Float32Array,
  p22: Float32Array,
  p31: Float32Array,
  p32: Float32Array,
  w: number,
  h: number,
  lt: number,
  theta: number,
  taut: number,
  gamma: number,
): number {
  let error = 0
  for (let y = 0; y < h; y++) {
    const row = y * w
    for (let x = 0; x < w; x++) {
      const i = row + x
      const ix = I1wx[i]!
      const iy = I1wy[i]!
      const g = grad[i]!
      const u1k = u1[i]!
      const u2k = u2[i]!
      const u3k = u3[i]!
      const rho = rhoc[i]! + ix * u1k + iy * u2k + gamma * u3k
      const ltg = lt * g
      let d1 = 0
      let d2 = 0
      let d3 = 0
      if (rho < -ltg) {
        d1 = lt * ix
        d2 = lt * iy
        d3 = lt * gamma
      } else if (rho > ltg) {
        d1 = -lt * ix
        d2 = -lt * iy
        d3 = -lt * gamma
      } else if (g > FLT_EPSILON) {
        const fi = -rho / g
        d1 = fi * ix
        d2 = fi * iy
        d3 = fi * gamma
      }
      let div1 = p11[i]! + p12[i]!
      let div2 = p21[i]! + p22[i]!
      let div3 = p31[i]! + p32[i]!
      if (x > 0) {
        div1 -= p11[i - 1]!
        div2 -= p21[i - 1]!
        div3 -= p31[i - 1]!
      }
      if (y > 0) {
        div1 -= p12[i - w]!
        div2 -= p22[i - w]!
        div3 -= p32[i - w]!
      }
      const n1 = u1k + d1 + theta * div1
      const n2 = u2k + d2 + theta * div2
      const n3 = u3k + d3 + theta * div3
      u1[i] = n1
      u2[i] = n2
      u3[i] = n3
      error += (n1 - u1k) * (n1 - u1k) + (n2 - u2k) * (n2 - u2k) + (n3 - u3k) * (n3 - u3k)
    }
    if (y > 0) {
      dualRow(u1, u2, p11, p12, p21, p22, w, h, y - 1, taut)
      dualRowSingle(u3, p31, p32, w, h, y - 1, taut)
    }
  }
  dualRow(u1, u2, p11, p12, p21, p22, w, h, h - 1, taut)
  dualRowSingle(u3, p31, p32, w, h, h - 1, taut)
  return error
}

/** Dual update of one row for a single primal field. */
function dualRowSingle(u: Float32Array, px: Float32Array, py: Float32Array, w: number, h: number, y: number, taut: number): void {
  const row = y * w
  const lastRow = y === h - 1
  for (let x = 0; x < w; x++) {
    const i = row + x
    const ux = x < w - 1 ? u[i + 1]! - u[i]! : 0
    const uy = lastRow ? 0 : u[i + w]! - u[i]!
    const ng = 1 + taut * Math.sqrt(ux * ux + uy * uy)
    px[i] = (px[i]! + taut * ux) / ng
    py[i] = (py[i]! + taut * uy) / ng
  }
}

/**
 * k×k median filter of a float plane in place, borders replicated (OpenCV's `medianBlur`).
 * `tmp` holds a copy of the input; `window` holds k² values.
 */
function medianFilterInPlace(data: Float32Array, w: number, h: number, k: number, tmpBuf: Float32Array, window: Float64Array): void {
  const n = w * h
  const src = tmpBuf.subarray(0, n)
  src.set(data.subarray(0, n))
  const r = k >> 1
  const m = k * k
  const mid = m >> 1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let c = 0
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy
        const row = (yy < 0 ? 0 : yy >= h ? h - 1 : yy) * w
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx
          window[c++] = src[row + (xx < 0 ? 0 : xx >= w ? w - 1 : xx)]!
        }
      }
      data[y * w + x] = selectKth(window, m, mid)
    }
  }
}

/** k-th smallest of the first n values (Hoare's selection; reorders `a`). */
function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0
  let hi = n - 1
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!
    let i = lo
    let j = hi
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i] = a[j]!
        a[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else break
  }
  return a[k]!
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
