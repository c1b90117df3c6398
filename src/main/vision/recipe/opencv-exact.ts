/**
 * The pixel operations of a model card's recipe that must match the training preprocessing
 * (`models/preprocess.py`, OpenCV) bit for bit: uint8 rounding (NumPy's `rint`: half to even),
 * BT.601 gray with OpenCV's fixed-point weights, OpenCV's INTER_CUBIC resize (a = −0.75,
 * replicated borders), strain with reflect-101 borders, per-sample channel standardisation.
 * Flow, strain, temporal normalisation and magnification themselves come from `src/main/vision`
 * (the code the viewers use); these helpers only adapt the data around them.
 */
import { createImage, type FlowField, type GrayImage } from '../image'
import { opticalStrain } from '../strain'

/** Round half to even and clamp to 0…255, like `np.clip(np.rint(x), 0, 255).astype(np.uint8)`. */
export function rintUint8(value: number): number {
  if (!(value > 0)) return 0
  if (value >= 255) return 255
  const floor = Math.floor(value)
  const diff = value - floor
  if (diff > 0.5) return floor + 1
  if (diff < 0.5) return floor
  return floor % 2 === 0 ? floor : floor + 1
}

export function quantise(img: GrayImage): GrayImage {
  const data = new Float32Array(img.data.length)
  for (let i = 0; i < data.length; i++) data[i] = rintUint8(img.data[i]!)
  return { width: img.width, height: img.height, data }
}

/** An 8-bit frame as decoded: gray (1 channel) or interleaved RGB (3 channels). */
export interface PixelFrame {
  width: number
  height: number
  channels: 1 | 3
  data: Uint8Array
}

/** Colour planes [R, G, B] (or the single gray plane) as float images, values 0…255. */
export function framePlanes(frame: PixelFrame): GrayImage[] {
  const n = frame.width * frame.height
  const planes = Array.from({ length: frame.channels }, () => createImage(frame.width, frame.height))
  for (let i = 0, p = 0; i < n; i++) for (let c = 0; c < frame.channels; c++, p++) planes[c]!.data[i] = frame.data[p]!
  return planes
}

/** OpenCV's `COLOR_RGB2GRAY` on uint8: fixed-point weights 4899/9617/1868 (≈ .299/.587/.114), rounded. */
function rgbToGray(r: number, g: number, b: number): number {
  return (r * 4899 + g * 9617 + b * 1868 + 8192) >> 14
}

export function grayFromPlanes(planes: readonly GrayImage[]): GrayImage {
  if (planes.length === 1) return planes[0]!
  const [r, g, b] = planes as [GrayImage, GrayImage, GrayImage]
  const out = createImage(r.width, r.height)
  for (let i = 0; i < out.data.length; i++) out.data[i] = rgbToGray(r.data[i]!, g.data[i]!, b.data[i]!)
  return out
}

/** `grayFromPlanes(framePlanes(frame))` without the three float planes in between. */
export function grayFromPixels(frame: PixelFrame): GrayImage {
  const out = createImage(frame.width, frame.height)
  const src = frame.data
  if (frame.channels === 1) out.data.set(src)
  else for (let i = 0, p = 0; i < out.data.length; i++, p += 3) out.data[i] = rgbToGray(src[p]!, src[p + 1]!, src[p + 2]!)
  return out
}

/** Keys cubic weights with a = −0.75 (OpenCV's `interpolateCubic`). */
function cubicWeights(t: number, out: Float64Array): void {
  const a = -0.75
  const x0 = t + 1
  const x1 = t
  const x2 = 1 - t
  out[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a
  out[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1
  out[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1
  out[3] = 1 - out[0]! - out[1]! - out[2]!
}

/**
 * `cv2.resize(img, (width, height), interpolation=cv2.INTER_CUBIC)` on a float image: source
 * coordinate (dst + 0.5)·scale − 0.5, 4×4 Keys kernel (a = −0.75), indices clamped at the borders.
 * Not antialiased when shrinking, exactly like OpenCV (so the recipe matches training).
 */
export function resizeBicubicOpenCv(img: GrayImage, width: number, height: number): GrayImage {
  const { width: sw, height: sh, data: src } = img
  if (sw === width && sh === height) return { width, height, data: new Float32Array(src) }
  const xIndex = new Int32Array(width * 4)
  const xWeight = new Float64Array(width * 4)
  const w = new Float64Array(4)
  const sx = sw / width
  for (let x = 0; x < width; x++) {
    const fx = (x + 0.5) * sx - 0.5
    const ix = Math.floor(fx)
    cubicWeights(fx - ix, w)
    for (let k = 0; k < 4; k++) {
      xIndex[x * 4 + k] = Math.min(Math.max(ix - 1 + k, 0), sw - 1)
      xWeight[x * 4 + k] = w[k]!
    }
  }
  // Horizontal pass on the source rows the vertical taps read (all of them when enlarging), then vertical.
  const sy = sh / height
  const needed = new Uint8Array(sh)
  for (let y = 0; y < height; y++) {
    const iy = Math.floor((y + 0.5) * sy - 0.5)
    for (let k = 0; k < 4; k++) needed[Math.min(Math.max(iy - 1 + k, 0), sh - 1)] = 1
  }
  const rows = new Float64Array(sh * width)
  for (let y = 0; y < sh; y++) {
    if (!needed[y]) continue
    const base = y * sw
    for (let x = 0; x < width; x++) {
      let acc = 0
      for (let k = 0; k < 4; k++) acc += xWeight[x * 4 + k]! * src[base + xIndex[x * 4 + k]!]!
      rows[y * width + x] = acc
    }
  }
  const out = createImage(width, height)
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) * sy - 0.5
    const iy = Math.floor(fy)
    cubicWeights(fy - iy, w)
    for (let k = 0; k < 4; k++) {
      const row = Math.min(Math.max(iy - 1 + k, 0), sh - 1) * width
      const wk = w[k]!
      for (let x = 0; x < width; x++) out.data[y * width + x] = out.data[y * width + x]! + wk * rows[row + x]!
    }
  }
  return out
}

/**
 * A flow computed at `factor` times the input size → the input size: the mean of each factor×factor
 * block (accumulated in float64), divided by `factor` so the vectors are in pixels of the smaller grid
 * (`preprocess.pool_flow`). Averaging takes TV-L1's per-pixel noise down; the motion keeps its share.
 */
export function poolFlow(flow: FlowField, factor: number): FlowField {
  if (factor === 1) return flow
  const width = flow.width / factor
  const height = flow.height / factor
  const scale = 1 / (factor * factor * factor)
  const pool = (src: Float32Array): Float32Array => {
    const out = new Float32Array(width * height)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0
        for (let dy = 0; dy < factor; dy++) {
          const row = (y * factor + dy) * flow.width + x * factor
          for (let dx = 0; dx < factor; dx++) sum += src[row + dx]!
        }
        out[y * width + x] = sum * scale
      }
    }
    return out
  }
  return { width, height, u: pool(flow.u), v: pool(flow.v) }
}

/** Pads a plane by one pixel with reflect-101 borders (… 2 1 | 0 1 2 … n−1 | n−2 …). */
function padReflect101(data: Float32Array, width: number, height: number): Float32Array {
  const pw = width + 2
  const out = new Float32Array(pw * (height + 2))
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i)
  for (let y = -1; y <= height; y++) {
    const sy = reflect(y, height)
    for (let x = -1; x <= width; x++) out[(y + 1) * pw + x + 1] = data[sy * width + reflect(x, width)]!
  }
  return out
}

/**
 * Optical strain magnitude with the recipe's `sobel3-div8-reflect101` derivatives: the vision
 * module's `opticalStrain` (replicated borders) on the flow padded by one reflected pixel, then
 * cropped, which makes its border rows/columns use reflect-101 neighbours as OpenCV does.
 */
export function strainReflect101(flow: FlowField, variant: 'standard' | 'off-tanet'): GrayImage {
  const { width, height } = flow
  const padded: FlowField = { width: width + 2, height: height + 2, u: padReflect101(flow.u, width, height), v: padReflect101(flow.v, width, height) }
  const strain = opticalStrain(padded, { variant })
  const out = createImage(width, height)
  for (let y = 0; y < height; y++) out.data.set(strain.data.subarray((y + 1) * (width + 2) + 1, (y + 1) * (width + 2) + 1 + width), y * width)
  return out
}

/**
 * `(x − mean_c) / (std_c + ε)` per channel (axis 0 of a channel-first tensor), population std over
 * all other axes (`preprocess.standardise_channels`), in place; statistics in float64.
 */
export function standardiseChannels(tensor: Float32Array, channels: number, epsilon: number): void {
  const per = tensor.length / channels
  for (let c = 0; c < channels; c++) {
    const view = tensor.subarray(c * per, (c + 1) * per)
    let sum = 0
    for (const v of view) sum += v
    const mean = sum / per
    let sq = 0
    for (const v of view) sq += (v - mean) * (v - mean)
    const scale = 1 / (Math.sqrt(sq / per) + epsilon)
    for (let i = 0; i < per; i++) view[i] = (view[i]! - mean) * scale
  }
}

/** `(x − min_c) / (max_c − min_c + ε)` mapped to `range`, per channel, in place. */
export function minmaxChannels(tensor: Float32Array, channels: number, range: [number, number], epsilon: number): void {
  const per = tensor.length / channels
  for (let c = 0; c < channels; c++) {
    const view = tensor.subarray(c * per, (c + 1) * per)
    let min = Infinity
    let max = -Infinity
    for (const v of view) {
      if (v < min) min = v
      if (v > max) max = v
    }
    const scale = (range[1] - range[0]) / (max - min + epsilon)
    for (let i = 0; i < per; i++) view[i] = range[0] + (view[i]! - min) * scale
  }
}

/** `(x − mean_c) / std_c` with fixed statistics per channel, in place. */
export function fixedMeanStd(tensor: Float32Array, channels: number, mean: readonly number[], std: readonly number[]): void {
  const per = tensor.length / channels
  for (let c = 0; c < channels; c++) {
    const m = mean[c] ?? mean[0]!
    const s = std[c] ?? std[0]!
    const view = tensor.subarray(c * per, (c + 1) * per)
    for (let i = 0; i < per; i++) view[i] = (view[i]! - m) / s
  }
}
