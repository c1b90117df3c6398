/**
 * Gaussian and Laplacian image pyramids (Burt & Adelson 1983), the spatial decomposition under
 * Eulerian and Riesz-pyramid motion magnification.
 *
 * `pyrDown` / `pyrUp` follow OpenCV's definitions: 5-tap binomial kernel [1 4 6 4 1]/16, reflect-101
 * borders, down-sampled size ⌈w/2⌉ × ⌈h/2⌉, and up-sampling by zero insertion followed by the same
 * kernel scaled by 4. A Laplacian pyramid stores the band-pass levels Lᵢ = Gᵢ − up(Gᵢ₊₁) and the
 * low-pass residual G_{n−1} last, so collapsing it reproduces the image up to float rounding.
 */
import type { GrayImage } from './image'

/** Levels from finest (index 0, full size) to coarsest. */
export interface Pyramid {
  levels: GrayImage[]
}

/** Smallest side a pyramid level may have (pyrDown below this stops being meaningful). */
export const MIN_PYRAMID_SIDE = 2

/** Largest number of levels (including level 0) an image of this size supports. */
export function maxPyramidLevels(width: number, height: number): number {
  let n = 1
  let w = width
  let h = height
  while (Math.ceil(w / 2) >= MIN_PYRAMID_SIDE && Math.ceil(h / 2) >= MIN_PYRAMID_SIDE) {
    w = Math.ceil(w / 2)
    h = Math.ceil(h / 2)
    n++
  }
  return n
}

/** Reflect-101 index (…2 1 | 0 1 2 … n−1 | n−2 …), OpenCV's BORDER_DEFAULT. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i
  return i
}

/** Blur with [1 4 6 4 1]/16 in both directions and keep every second pixel: ⌈w/2⌉ × ⌈h/2⌉. */
export function pyrDown(img: GrayImage): GrayImage {
  const { width: w, height: h, data: src } = img
  const dw = Math.ceil(w / 2)
  const dh = Math.ceil(h / 2)
  // Horizontal pass at the kept columns only, on every row.
  const tmp = new Float32Array(dw * h)
  const xm2 = new Int32Array(dw)
  const xm1 = new Int32Array(dw)
  const xp1 = new Int32Array(dw)
  const xp2 = new Int32Array(dw)
  for (let x = 0; x < dw; x++) {
    const c = 2 * x
    xm2[x] = reflect101(c - 2, w)
    xm1[x] = reflect101(c - 1, w)
    xp1[x] = reflect101(c + 1, w)
    xp2[x] = reflect101(c + 2, w)
  }
  for (let y = 0; y < h; y++) {
    const r = y * w
    const o = y * dw
    for (let x = 0; x < dw; x++) {
      tmp[o + x] = (src[r + xm2[x]!]! + src[r + xp2[x]!]! + 4 * (src[r + xm1[x]!]! + src[r + xp1[x]!]!) + 6 * src[r + 2 * x]!) * 0.0625
    }
  }
  const out = new Float32Array(dw * dh)
  for (let y = 0; y < dh; y++) {
    const c = 2 * y
    const rm2 = reflect101(c - 2, h) * dw
    const rm1 = reflect101(c - 1, h) * dw
    const r0 = c * dw
    const rp1 = reflect101(c + 1, h) * dw
    const rp2 = reflect101(c + 2, h) * dw
    const o = y * dw
    for (let x = 0; x < dw; x++) {
      out[o + x] = (tmp[rm2 + x]! + tmp[rp2 + x]! + 4 * (tmp[rm1 + x]! + tmp[rp1 + x]!) + 6 * tmp[r0 + x]!) * 0.0625
    }
  }
  return { width: dw, height: dh, data: out }
}

/**
 * Up-sample to `width × height` (which must be 2·w or 2·w − 1, likewise for h): zero insertion and
 * the binomial kernel ×4, i.e. even outputs (s[i−1] + 6 s[i] + s[i+1])/8, odd outputs (s[i] + s[i+1])/2.
 */
export function pyrUp(img: GrayImage, width = img.width * 2, height = img.height * 2): GrayImage {
  const { width: sw, height: sh, data: src } = img
  if (Math.ceil(width / 2) !== sw || Math.ceil(height / 2) !== sh) {
    throw new RangeError(`pyrUp: ${sw}×${sh} cannot up-sample to ${width}×${height}`)
  }
  // Horizontal pass: sh rows × width columns.
  const tmp = new Float32Array(width * sh)
  for (let y = 0; y < sh; y++) {
    const r = y * sw
    const o = y * width
    for (let x = 0; x < width; x++) {
      const i = x >> 1
      if ((x & 1) === 0) {
        tmp[o + x] = (src[r + reflect101(i - 1, sw)]! + 6 * src[r + i]! + src[r + reflect101(i + 1, sw)]!) * 0.125
      } else {
        tmp[o + x] = (src[r + i]! + src[r + reflect101(i + 1, sw)]!) * 0.5
      }
    }
  }
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    const i = y >> 1
    const o = y * width
    const r0 = i * width
    const rp = reflect101(i + 1, sh) * width
    if ((y & 1) === 0) {
      const rm = reflect101(i - 1, sh) * width
      for (let x = 0; x < width; x++) out[o + x] = (tmp[rm + x]! + 6 * tmp[r0 + x]! + tmp[rp + x]!) * 0.125
    } else {
      for (let x = 0; x < width; x++) out[o + x] = (tmp[r0 + x]! + tmp[rp + x]!) * 0.5
    }
  }
  return { width, height, data: out }
}

function checkLevels(img: GrayImage, levels: number): void {
  const max = maxPyramidLevels(img.width, img.height)
  if (!Number.isInteger(levels) || levels < 1 || levels > max) {
    throw new RangeError(`pyramid levels must be an integer in 1…${max} for ${img.width}×${img.height}, got ${levels}`)
  }
}

/** Gaussian pyramid G₀ = img, Gᵢ₊₁ = pyrDown(Gᵢ), `levels` levels in all. */
export function gaussianPyramid(img: GrayImage, levels: number): Pyramid {
  checkLevels(img, levels)
  const out: GrayImage[] = [img]
  for (let i = 1; i < levels; i++) out.push(pyrDown(out[i - 1]!))
  return { levels: out }
}

/** Laplacian pyramid: band-pass Lᵢ = Gᵢ − pyrUp(Gᵢ₊₁) for i < levels − 1, then the residual G_{levels−1}. */
export function laplacianPyramid(img: GrayImage, levels: number): Pyramid {
  const g = gaussianPyramid(img, levels).levels
  const out: GrayImage[] = []
  for (let i = 0; i < levels - 1; i++) {
    const gi = g[i]!
    const up = pyrUp(g[i + 1]!, gi.width, gi.height)
    const d = up.data
    for (let p = 0; p < d.length; p++) d[p] = gi.data[p]! - d[p]!
    out.push(up)
  }
  out.push({ width: g[levels - 1]!.width, height: g[levels - 1]!.height, data: new Float32Array(g[levels - 1]!.data) })
  return { levels: out }
}

/** Inverse of `laplacianPyramid`: G_{n−1} = residual, Gᵢ = Lᵢ + pyrUp(Gᵢ₊₁). */
export function collapseLaplacian(pyr: Pyramid): GrayImage {
  const levels = pyr.levels
  if (levels.length === 0) throw new RangeError('empty pyramid')
  const top = levels[levels.length - 1]!
  let cur: GrayImage = { width: top.width, height: top.height, data: new Float32Array(top.data) }
  for (let i = levels.length - 2; i >= 0; i--) {
    const li = levels[i]!
    const up = pyrUp(cur, li.width, li.height)
    const d = up.data
    for (let p = 0; p < d.length; p++) d[p] = d[p]! + li.data[p]!
    cur = up
  }
  return cur
}
