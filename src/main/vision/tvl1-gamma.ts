/** The γ variant of TV-L1's primal–dual step (OpenCV's illumination term), used when `gamma ≠ 0`. */
import { dualRow, FLT_EPSILON } from './tvl1-js'

/**
 * The same iteration with OpenCV's illumination term: a third primal variable u3 (weight γ)
 * enters ρ = ρ_c + ∇I1·u + γ·u3 and is regularised by TV like u1 and u2.
 */
export function primalDualStepGamma(
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
