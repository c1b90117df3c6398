/**
 * Middlebury colour coding of optical flow (Baker et al., IJCV 2011, `flowToColor` of the
 * Middlebury flow-code): hue from the direction, saturation from the magnitude normalised by
 * the largest one, vectors beyond the normaliser darkened to 75 %.
 */
import type { FlowField } from './image'

/** RGBA image, 4 bytes per pixel, row-major (ImageData-compatible). */
export interface RgbaImage {
  width: number
  height: number
  data: Uint8ClampedArray
}

export interface FlowColorOptions {
  /** Magnitude mapped to full saturation; the field's largest finite magnitude when absent. */
  maxMagnitude?: number
}

// Segment lengths between the primaries of the wheel (red→yellow→green→cyan→blue→magenta→red).
const RY = 15
const YG = 6
const GC = 4
const CB = 11
const BM = 13
const MR = 6
const NCOLS = RY + YG + GC + CB + BM + MR

/** The 55 × 3 Middlebury colour wheel, values 0–255. */
export const COLOR_WHEEL: Readonly<Float32Array> = (() => {
  const wheel = new Float32Array(NCOLS * 3)
  let k = 0
  const put = (r: number, g: number, b: number): void => {
    wheel[k++] = r
    wheel[k++] = g
    wheel[k++] = b
  }
  for (let i = 0; i < RY; i++) put(255, Math.floor((255 * i) / RY), 0)
  for (let i = 0; i < YG; i++) put(255 - Math.floor((255 * i) / YG), 255, 0)
  for (let i = 0; i < GC; i++) put(0, 255, Math.floor((255 * i) / GC))
  for (let i = 0; i < CB; i++) put(0, 255 - Math.floor((255 * i) / CB), 255)
  for (let i = 0; i < BM; i++) put(Math.floor((255 * i) / BM), 0, 255)
  for (let i = 0; i < MR; i++) put(255, 0, 255 - Math.floor((255 * i) / MR))
  return wheel
})()

/** Colour of one flow vector already divided by the normaliser, written to out[o..o+3]. */
function colorOf(fu: number, fv: number, out: Uint8ClampedArray, o: number): void {
  const rad = Math.sqrt(fu * fu + fv * fv)
  const a = Math.atan2(-fv, -fu) / Math.PI
  const fk = ((a + 1) / 2) * (NCOLS - 1)
  const k0 = Math.floor(fk)
  const k1 = k0 + 1 === NCOLS ? 0 : k0 + 1
  const f = fk - k0
  for (let c = 0; c < 3; c++) {
    let col = ((1 - f) * COLOR_WHEEL[k0 * 3 + c]! + f * COLOR_WHEEL[k1 * 3 + c]!) / 255
    col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75
    out[o + c] = Math.floor(255 * col)
  }
  out[o + 3] = 255
}

/** Middlebury colour rendering of a flow field; non-finite vectors are drawn black. */
export function flowToColor(flow: FlowField, options: FlowColorOptions = {}): RgbaImage {
  const { width, height, u, v } = flow
  const maxMag = options.maxMagnitude ?? flowMagnitudeStats(flow).max
  const norm = maxMag > 0 ? maxMag : 1
  const data = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < width * height; i++) {
    const fu = u[i]!
    const fv = v[i]!
    if (!Number.isFinite(fu) || !Number.isFinite(fv)) {
      data[i * 4 + 3] = 255
      continue
    }
    colorOf(fu / norm, fv / norm, data, i * 4)
  }
  return { width, height, data }
}

/** The colour wheel legend as a size × size disc (transparent outside), radius = the normaliser. */
export function flowColorLegend(size: number): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4)
  const c = (size - 1) / 2
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const fu = (x - c) / c
      const fv = (y - c) / c
      if (fu * fu + fv * fv <= 1) colorOf(fu, fv, data, (y * size + x) * 4)
    }
  }
  return { width: size, height: size, data }
}

export interface FlowMagnitudeStats {
  /** Mean of ‖(u, v)‖ over finite vectors, px/frame. */
  mean: number
  max: number
  /** Median and 95th percentile (nearest rank). */
  median: number
  p95: number
  /** Number of finite vectors. */
  count: number
}

/** Magnitude statistics of a flow field (non-finite vectors ignored). */
export function flowMagnitudeStats(flow: FlowField): FlowMagnitudeStats {
  const n = flow.width * flow.height
  const mags = new Float32Array(n)
  let count = 0
  let sum = 0
  let max = 0
  for (let i = 0; i < n; i++) {
    const fu = flow.u[i]!
    const fv = flow.v[i]!
    if (!Number.isFinite(fu) || !Number.isFinite(fv)) continue
    const m = Math.sqrt(fu * fu + fv * fv)
    mags[count++] = m
    sum += m
    if (m > max) max = m
  }
  if (count === 0) return { mean: 0, max: 0, median: 0, p95: 0, count: 0 }
  const sorted = mags.subarray(0, count).sort()
  const rank = (q: number): number => sorted[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))]!
  return { mean: sum / count, max, median: rank(0.5), p95: rank(0.95), count }
}
