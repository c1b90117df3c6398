/**
 * The JavaScript kernels of TV-L1 (`tvl1.ts`): warping and linearisation (IPOL bicubic), the fused
 * primal–dual step, the median filter of the flow. The WebAssembly SIMD kernels
 * (`tvl1-wasm.ts`) compute the same numbers.
 */
import { KEYS_A } from './image'

/** FLT_EPSILON: below this |∇I1|² the thresholding step leaves the flow unchanged. */
export const FLT_EPSILON = 1.1920928955078125e-7

/**
 * Samples I1, ∂xI1, ∂yI1 at x + u(x) (replicated borders; IPOL's Neumann condition) and fills
 * I1wx, I1wy, grad = |∇I1w|² and ρ_c = I1w − ∇I1w·u0 − I0. I0, I1 and its gradient are dense
 * (stride w); u and the outputs share a layout where pixel (x, y) is at `base + y·stride + x`.
 */
export function warpAndLinearise(
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
export function primalDualStep(
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
export function dualRow(
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
 * k×k median filter of a float plane in place, borders replicated (OpenCV's `medianBlur`).
 * `tmp` holds a copy of the input; `window` holds k² values.
 */
export function medianFilterInPlace(data: Float32Array, w: number, h: number, k: number, tmpBuf: Float32Array, window: Float64Array): void {
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
