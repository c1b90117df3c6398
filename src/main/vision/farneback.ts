/**
 * Farnebäck dense optical flow (G. Farnebäck, "Two-Frame Motion Estimation Based on Polynomial
 * Expansion", SCIA 2003) through opencv-wasm's `calcOpticalFlowFarneback` — a fast preview,
 * not the reference flow of any published ME method (those use TV-L1).
 */
import { createRequire } from 'node:module'
import type opencvWasm from 'opencv-wasm'
import type { FlowField, GrayImage } from './image'

type OpenCv = typeof opencvWasm.cv
let openCv: OpenCv | null = null

/**
 * opencv-wasm compiles its 8 MB module on load (~0.2 s): load it on the first Farnebäck call, so
 * vision workers that never run Farnebäck (TV-L1 batches) start without it.
 */
function cvModule(): OpenCv {
  openCv ??= (createRequire(import.meta.url)('opencv-wasm') as typeof opencvWasm).cv
  return openCv
}

export interface FarnebackOptions {
  /** Scale between pyramid levels (< 1). */
  pyrScale: number
  /** Pyramid levels including the full-resolution one. */
  levels: number
  /** Averaging window size. */
  winsize: number
  /** Iterations per level. */
  iterations: number
  /** Neighbourhood of the polynomial expansion (5 or 7). */
  polyN: number
  /** σ of the Gaussian weighting the expansion (1.1 for polyN 5, 1.5 for 7). */
  polySigma: number
  /** Gaussian instead of box averaging window (OPTFLOW_FARNEBACK_GAUSSIAN). */
  gaussianWindow: boolean
}

/** The parameters of OpenCV's samples (`opt_flow.py`, `fback.cpp`). */
export const FARNEBACK_DEFAULTS: Readonly<FarnebackOptions> = Object.freeze({
  pyrScale: 0.5,
  levels: 3,
  winsize: 15,
  iterations: 3,
  polyN: 5,
  polySigma: 1.2,
  gaussianWindow: false,
})

const OPTFLOW_FARNEBACK_GAUSSIAN = 256

/** Dense flow from `i0` to `i1` (intensities 0–255, rounded to 8 bits). */
export function farnebackFlow(i0: GrayImage, i1: GrayImage, options: Partial<FarnebackOptions> = {}): FlowField {
  const o = { ...FARNEBACK_DEFAULTS, ...options }
  const { width, height } = i0
  if (i1.width !== width || i1.height !== height) throw new RangeError('farnebackFlow: frames differ in size')
  const cv = cvModule()
  const prev = new cv.Mat(height, width, cv.CV_8UC1)
  const next = new cv.Mat(height, width, cv.CV_8UC1)
  const flow = new cv.Mat()
  try {
    toBytes(i0.data, prev.data as Uint8Array)
    toBytes(i1.data, next.data as Uint8Array)
    cv.calcOpticalFlowFarneback(
      prev,
      next,
      flow,
      o.pyrScale,
      o.levels,
      o.winsize,
      o.iterations,
      o.polyN,
      o.polySigma,
      o.gaussianWindow ? OPTFLOW_FARNEBACK_GAUSSIAN : 0,
    )
    const uv = flow.data32F as Float32Array
    const n = width * height
    const u = new Float32Array(n)
    const v = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      u[i] = uv[2 * i]!
      v[i] = uv[2 * i + 1]!
    }
    return { width, height, u, v }
  } finally {
    prev.delete()
    next.delete()
    flow.delete()
  }
}

function toBytes(src: Float32Array, dst: Uint8Array): void {
  for (let i = 0; i < src.length; i++) {
    const v = Math.round(src[i]!)
    dst[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
}
