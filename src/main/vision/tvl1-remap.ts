/**
 * OpenCV's cv::remap INTER_CUBIC tables and the warp that uses them, so TV-L1 with `opencvNumerics`
 * samples I1 with OpenCV's exact fixed-point fractions and float weights.
 */

/**
 * cv::remap's INTER_CUBIC weights (OpenCV's `initInterTab2D`): Keys a = −0.75 at the 32 fractions
 * k/32 in float, 4 taps each (at `k · 4`); the 2-D weights are their float products.
 */
export const REMAP_CUBIC_1D: Float32Array = (() => {
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
export function warpAndLineariseOpenCv(
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
