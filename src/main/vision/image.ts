/**
 * Shared image types and small helpers for all vision code.
 *
 * Images are single-channel, row-major `Float32Array`s (`data[y * width + x]`), intensities in
 * whatever range the caller uses (0–255 for frames decoded from video). Flow fields keep the two
 * components in separate planes. Everything here is pure: typed arrays in, typed arrays out, no
 * hidden state, no `node:*` imports.
 */

/** Single-channel float image, row-major. */
export interface GrayImage {
  width: number
  height: number
  data: Float32Array
}

/** Dense displacement field: pixel (x, y) of frame 0 moves to (x + u, y + v) in frame 1. */
export interface FlowField {
  width: number
  height: number
  u: Float32Array
  v: Float32Array
}

/** Image gradients (∂I/∂x, ∂I/∂y) on the same grid as the source. */
export interface Gradients {
  width: number
  height: number
  gx: Float32Array
  gy: Float32Array
}

export function createImage(width: number, height: number, fill = 0): GrayImage {
  checkSize(width, height)
  const data = new Float32Array(width * height)
  if (fill !== 0) data.fill(fill)
  return { width, height, data }
}

export function cloneImage(img: GrayImage): GrayImage {
  return { width: img.width, height: img.height, data: new Float32Array(img.data) }
}

export function createFlow(width: number, height: number): FlowField {
  checkSize(width, height)
  return { width, height, u: new Float32Array(width * height), v: new Float32Array(width * height) }
}

export function cloneFlow(flow: FlowField): FlowField {
  return { width: flow.width, height: flow.height, u: new Float32Array(flow.u), v: new Float32Array(flow.v) }
}

/**
 * Gray image from interleaved 8-bit pixels (gray, RGB or RGBA), luma by ITU-R BT.601
 * (0.299 R + 0.587 G + 0.114 B, the weights of OpenCV's `cvtColor(…, COLOR_RGB2GRAY)`).
 */
export function grayFromPixels(pixels: Uint8Array | Uint8ClampedArray, width: number, height: number, channels: 1 | 3 | 4): GrayImage {
  checkSize(width, height)
  const n = width * height
  if (pixels.length < n * channels) throw new RangeError(`pixel buffer too short for ${width}×${height}×${channels}`)
  const out = new Float32Array(n)
  if (channels === 1) {
    for (let i = 0; i < n; i++) out[i] = pixels[i]!
  } else {
    for (let i = 0, p = 0; i < n; i++, p += channels) {
      out[i] = 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!
    }
  }
  return { width, height, data: out }
}

/**
 * Bilinear resize with pixel-centre alignment (the mapping of OpenCV's `INTER_LINEAR`):
 * source coordinate = (dst + 0.5) · (srcSize / dstSize) − 0.5, clamped at the borders.
 */
export function resizeBilinear(img: GrayImage, width: number, height: number, step?: number): GrayImage {
  // `step`: source pixels per output pixel when given (cv::resize with fx = fy = 1/step and an
  // empty dsize maps with the nominal factor, not the rounded size ratio); the size ratio otherwise.
  checkSize(width, height)
  const { width: sw, height: sh, data: src } = img
  const out = new Float32Array(width * height)
  const sx = step ?? sw / width
  const sy = step ?? sh / height
  // Precompute the horizontal taps once per column.
  const x0s = new Int32Array(width)
  const x1s = new Int32Array(width)
  const wxs = new Float32Array(width)
  for (let x = 0; x < width; x++) {
    let fx = (x + 0.5) * sx - 0.5
    if (fx < 0) fx = 0
    const x0 = Math.min(Math.floor(fx), sw - 1)
    x0s[x] = x0
    x1s[x] = Math.min(x0 + 1, sw - 1)
    wxs[x] = Math.min(fx - x0, 1)
  }
  for (let y = 0; y < height; y++) {
    let fy = (y + 0.5) * sy - 0.5
    if (fy < 0) fy = 0
    const y0 = Math.min(Math.floor(fy), sh - 1)
    const y1 = Math.min(y0 + 1, sh - 1)
    const wy = Math.min(fy - y0, 1)
    const r0 = y0 * sw
    const r1 = y1 * sw
    const o = y * width
    for (let x = 0; x < width; x++) {
      const x0 = x0s[x]!
      const x1 = x1s[x]!
      const wx = wxs[x]!
      const top = src[r0 + x0]! + wx * (src[r0 + x1]! - src[r0 + x0]!)
      const bot = src[r1 + x0]! + wx * (src[r1 + x1]! - src[r1 + x0]!)
      out[o + x] = top + wy * (bot - top)
    }
  }
  return { width, height, data: out }
}

/**
 * Area-averaging resize (OpenCV's `INTER_AREA`): each output pixel is the mean of the source area
 * it covers, with fractional coverage at the edges. The right choice for downscaling; for
 * upscaling it falls back to bilinear, as OpenCV does.
 */
export function resizeArea(img: GrayImage, width: number, height: number): GrayImage {
  checkSize(width, height)
  if (width >= img.width && height >= img.height) return resizeBilinear(img, width, height)
  const { width: sw, height: sh, data: src } = img
  const sx = sw / width
  const sy = sh / height
  // Separable: rows first into a (width × sh) buffer, then columns.
  const tmp = new Float32Array(width * sh)
  for (let x = 0; x < width; x++) {
    const a = x * sx
    const b = a + sx
    for (let y = 0; y < sh; y++) {
      const row = y * sw
      let acc = 0
      for (let k = Math.floor(a); k < b && k < sw; k++) {
        const w = Math.min(k + 1, b) - Math.max(k, a)
        acc += w * src[row + k]!
      }
      tmp[y * width + x] = acc / sx
    }
  }
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    const a = y * sy
    const b = a + sy
    const o = y * width
    for (let k = Math.floor(a); k < b && k < sh; k++) {
      const w = (Math.min(k + 1, b) - Math.max(k, a)) / sy
      const t = k * width
      for (let x = 0; x < width; x++) out[o + x] = out[o + x]! + w * tmp[t + x]!
    }
  }
  return { width, height, data: out }
}

/** Normalised 1-D Gaussian kernel of radius ⌈3σ⌉ (at least 1 tap either side). */
export function gaussianKernel(sigma: number): Float32Array {
  if (!(sigma > 0)) throw new RangeError('sigma must be > 0')
  const radius = Math.max(1, Math.ceil(3 * sigma))
  const k = new Float32Array(2 * radius + 1)
  let sum = 0
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma))
    k[i + radius] = w
    sum += w
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum
  return k
}

/** Separable convolution with a symmetric 1-D kernel, borders replicated. */
export function convolveSeparable(img: GrayImage, kernel: Float32Array): GrayImage {
  const { width: w, height: h, data: src } = img
  const r = (kernel.length - 1) >> 1
  const tmp = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const row = y * w
    for (let x = 0; x < w; x++) {
      let acc = 0
      for (let k = -r; k <= r; k++) {
        let xx = x + k
        xx = xx < 0 ? 0 : xx >= w ? w - 1 : xx
        acc += kernel[k + r]! * src[row + xx]!
      }
      tmp[row + x] = acc
    }
  }
  const out = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const row = y * w
    for (let k = -r; k <= r; k++) {
      let yy = y + k
      yy = yy < 0 ? 0 : yy >= h ? h - 1 : yy
      const kk = kernel[k + r]!
      const t = yy * w
      for (let x = 0; x < w; x++) out[row + x] = out[row + x]! + kk * tmp[t + x]!
    }
  }
  return { width: w, height: h, data: out }
}

/** Gaussian blur with standard deviation σ (pixels), replicated borders. σ ≤ 0 returns a copy. */
export function gaussianBlur(img: GrayImage, sigma: number): GrayImage {
  if (!(sigma > 0)) return cloneImage(img)
  return convolveSeparable(img, gaussianKernel(sigma))
}

/**
 * 3×3 Sobel derivatives, replicated borders, scaled by 1/8 so that a linear ramp I = a·x + b·y
 * gives exactly (a, b) in the interior.
 */
export function sobelGradients(img: GrayImage): Gradients {
  const { width: w, height: h, data: I } = img
  const gx = new Float32Array(w * h)
  const gy = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const rm = (y > 0 ? y - 1 : 0) * w
    const r0 = y * w
    const rp = (y < h - 1 ? y + 1 : h - 1) * w
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0
      const xp = x < w - 1 ? x + 1 : w - 1
      const a = I[rm + xm]!
      const b = I[rm + x]!
      const c = I[rm + xp]!
      const d = I[r0 + xm]!
      const f = I[r0 + xp]!
      const g = I[rp + xm]!
      const hh = I[rp + x]!
      const k = I[rp + xp]!
      gx[r0 + x] = (c - a + 2 * (f - d) + k - g) * 0.125
      gy[r0 + x] = (g - a + 2 * (hh - b) + k - c) * 0.125
    }
  }
  return { width: w, height: h, gx, gy }
}

/**
 * Centred differences (I[x+1] − I[x−1]) / 2 with replicated borders, i.e. half the one-sided
 * difference on the first and last row/column (the gradient of IPOL's and OpenCV's TV-L1).
 */
export function centralGradients(img: GrayImage): Gradients {
  const { width: w, height: h, data: I } = img
  const gx = new Float32Array(w * h)
  const gy = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const r0 = y * w
    const rm = (y > 0 ? y - 1 : 0) * w
    const rp = (y < h - 1 ? y + 1 : h - 1) * w
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : 0
      const xp = x < w - 1 ? x + 1 : w - 1
      gx[r0 + x] = 0.5 * (I[r0 + xp]! - I[r0 + xm]!)
      gy[r0 + x] = 0.5 * (I[rp + x]! - I[rm + x]!)
    }
  }
  return { width: w, height: h, gx, gy }
}

/** Bilinear sample at real coordinates (x, y), borders replicated. */
export function sampleBilinear(img: GrayImage, x: number, y: number): number {
  const { width: w, height: h, data } = img
  if (x < 0) x = 0
  else if (x > w - 1) x = w - 1
  if (y < 0) y = 0
  else if (y > h - 1) y = h - 1
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const x1 = x0 < w - 1 ? x0 + 1 : x0
  const y1 = y0 < h - 1 ? y0 + 1 : y0
  const fx = x - x0
  const fy = y - y0
  const a = data[y0 * w + x0]!
  const b = data[y0 * w + x1]!
  const c = data[y1 * w + x0]!
  const d = data[y1 * w + x1]!
  return (a + fx * (b - a)) * (1 - fy) + (c + fx * (d - c)) * fy
}

/**
 * Bicubic sample at real coordinates with the Keys kernel, a = −0.5 (Catmull–Rom, the cubic of
 * IPOL's TV-L1; exact on quadratics, unlike OpenCV's a = −0.75), borders replicated.
 */
export function sampleBicubic(img: GrayImage, x: number, y: number): number {
  const { width: w, height: h, data } = img
  const x0 = Math.floor(x)
  const y0 = Math.floor(y)
  const tx = x - x0
  const ty = y - y0
  const wx0 = keys0(tx)
  const wx1 = keys1(tx)
  const wx2 = keys1(1 - tx)
  const wx3 = 1 - wx0 - wx1 - wx2
  const wy0 = keys0(ty)
  const wy1 = keys1(ty)
  const wy2 = keys1(1 - ty)
  const wy3 = 1 - wy0 - wy1 - wy2
  const c0 = clampIndex(x0 - 1, w)
  const c1 = clampIndex(x0, w)
  const c2 = clampIndex(x0 + 1, w)
  const c3 = clampIndex(x0 + 2, w)
  let acc = 0
  for (let j = 0; j < 4; j++) {
    const row = clampIndex(y0 - 1 + j, h) * w
    const r = wx0 * data[row + c0]! + wx1 * data[row + c1]! + wx2 * data[row + c2]! + wx3 * data[row + c3]!
    acc += (j === 0 ? wy0 : j === 1 ? wy1 : j === 2 ? wy2 : wy3) * r
  }
  return acc
}

/** Keys (1981) kernel parameter; −0.5 gives third-order accuracy. */
export const KEYS_A = -0.5
/** Keys weight of the tap at distance 1 + t (outer tap). */
function keys0(t: number): number {
  const s = t + 1
  return ((KEYS_A * s - 5 * KEYS_A) * s + 8 * KEYS_A) * s - 4 * KEYS_A
}
/** Keys weight of the tap at distance t (inner tap). */
function keys1(t: number): number {
  return ((KEYS_A + 2) * t - (KEYS_A + 3)) * t * t + 1
}

function clampIndex(i: number, n: number): number {
  return i < 0 ? 0 : i >= n ? n - 1 : i
}

/** Mean end-point error ‖(u, v) − (u*, v*)‖ over all pixels, or over `mask` (> 0) when given. */
export function endPointError(flow: FlowField, truth: FlowField, mask?: Uint8Array): number {
  if (flow.width !== truth.width || flow.height !== truth.height) throw new RangeError('flow sizes differ')
  let acc = 0
  let n = 0
  for (let i = 0; i < flow.u.length; i++) {
    if (mask && !mask[i]) continue
    const du = flow.u[i]! - truth.u[i]!
    const dv = flow.v[i]! - truth.v[i]!
    acc += Math.sqrt(du * du + dv * dv)
    n++
  }
  return n > 0 ? acc / n : 0
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`invalid image size ${width}×${height}`)
  }
}

/**
 * Backward warp: out(x, y) = img(x + u(x, y), y + v(x, y)), borders replicated. With the flow
 * from frame 0 to frame 1, warping frame 1 gives frame 0's prediction.
 */
export function warpImage(img: GrayImage, flow: FlowField, interpolation: 'bicubic' | 'bilinear' = 'bicubic'): GrayImage {
  if (img.width !== flow.width || img.height !== flow.height) throw new RangeError('warpImage: sizes differ')
  const { width: w, height: h } = img
  const out = new Float32Array(w * h)
  const sample = interpolation === 'bicubic' ? sampleBicubic : sampleBilinear
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      out[i] = sample(img, x + flow.u[i]!, y + flow.v[i]!)
    }
  }
  return { width: w, height: h, data: out }
}
