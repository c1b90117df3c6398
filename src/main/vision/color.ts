/**
 * Colour frames and the YIQ colour space used by Eulerian magnification (Wu et al. 2012 magnify
 * the luminance Y and attenuate the chrominance I, Q).
 */
import type { GrayImage } from './image'

/** Interleaved RGB float image (`data[3·(y·width + x) + c]`), intensities 0–255. */
export interface RgbImage {
  width: number
  height: number
  data: Float32Array
}

/** NTSC YIQ planes of an RGB image (FCC 1953 matrix, as in MATLAB's `rgb2ntsc`). */
export function rgbToYiq(img: RgbImage): [GrayImage, GrayImage, GrayImage] {
  const { width, height, data } = img
  const n = width * height
  if (data.length !== 3 * n) throw new RangeError(`RGB data has ${data.length} values, expected ${3 * n}`)
  const y = new Float32Array(n)
  const i = new Float32Array(n)
  const q = new Float32Array(n)
  for (let p = 0, k = 0; p < n; p++, k += 3) {
    const r = data[k]!
    const g = data[k + 1]!
    const b = data[k + 2]!
    y[p] = 0.299 * r + 0.587 * g + 0.114 * b
    i[p] = 0.596 * r - 0.274 * g - 0.322 * b
    q[p] = 0.211 * r - 0.523 * g + 0.312 * b
  }
  return [
    { width, height, data: y },
    { width, height, data: i },
    { width, height, data: q },
  ]
}

/** Inverse of `rgbToYiq` (the exact matrix inverse, MATLAB's `ntsc2rgb` before clipping). */
export function yiqToRgb(y: GrayImage, i: GrayImage, q: GrayImage): RgbImage {
  const { width, height } = y
  const n = width * height
  const m = YIQ_INV
  const out = new Float32Array(3 * n)
  for (let p = 0, k = 0; p < n; p++, k += 3) {
    const Y = y.data[p]!
    const I = i.data[p]!
    const Q = q.data[p]!
    out[k] = m[0]! * Y + m[1]! * I + m[2]! * Q
    out[k + 1] = m[3]! * Y + m[4]! * I + m[5]! * Q
    out[k + 2] = m[6]! * Y + m[7]! * I + m[8]! * Q
  }
  return { width, height, data: out }
}

/** Row-major inverse of the forward matrix, computed once from its adjugate. */
const YIQ_INV = invert3([0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312])

function invert3(m: readonly number[]): Float64Array {
  const [a, b, c, d, e, f, g, h, k] = m as [number, number, number, number, number, number, number, number, number]
  const det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g)
  return Float64Array.from([
    (e * k - f * h) / det,
    (c * h - b * k) / det,
    (b * f - c * e) / det,
    (f * g - d * k) / det,
    (a * k - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ])
}
