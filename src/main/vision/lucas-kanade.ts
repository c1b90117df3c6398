/**
 * Dense pyramidal Lucas–Kanade optical flow (Lucas & Kanade 1981; Bouguet, "Pyramidal
 * implementation of the Lucas Kanade feature tracker", 2000), evaluated at every pixel: at each
 * scale, coarse to fine, up to `iterations` Gauss–Newton steps solve the 2×2 normal equations
 * G·d = −b summed over a window, with G built from the gradient of I0 (Bouguet eq. 8).
 */
import { centralGradients, createFlow, gaussianBlur, resizeArea, resizeBilinear, type FlowField, type GrayImage } from './image'

export interface LucasKanadeOptions {
  /** Side of the square integration window (odd). */
  windowSize: number
  /** Pyramid levels (each half the size of the previous, coarsest side kept ≥ 8 px). */
  levels: number
  /** Maximum Gauss–Newton iterations per level and pixel (stops earlier once the update is below 10⁻³ px). */
  iterations: number
  /** Smallest eigenvalue of G (per pixel of the window) below which the update is skipped (ill-conditioned, aperture problem). */
  minEigenvalue: number
  /** Gaussian σ applied to both frames before building the pyramid; 0 for none. */
  presmoothingSigma: number
}

export const LUCAS_KANADE_DEFAULTS: Readonly<LucasKanadeOptions> = Object.freeze({
  windowSize: 15,
  levels: 3,
  iterations: 5,
  minEigenvalue: 1e-3,
  presmoothingSigma: 0,
})

const MIN_LEVEL_SIDE = 8

/** Dense flow from `i0` to `i1` by pyramidal Lucas–Kanade. */
export function lucasKanadeFlow(i0: GrayImage, i1: GrayImage, options: Partial<LucasKanadeOptions> = {}): FlowField {
  const o = { ...LUCAS_KANADE_DEFAULTS, ...options }
  if (i0.width !== i1.width || i0.height !== i1.height) throw new RangeError('lucasKanadeFlow: frames differ in size')
  if (!(o.windowSize >= 3 && o.windowSize % 2 === 1)) throw new RangeError('lucasKanadeFlow: windowSize must be odd and ≥ 3')
  if (!(o.levels >= 1 && o.iterations >= 1)) throw new RangeError('lucasKanadeFlow: levels and iterations must be ≥ 1')

  const P0: GrayImage[] = [o.presmoothingSigma > 0 ? gaussianBlur(i0, o.presmoothingSigma) : i0]
  const P1: GrayImage[] = [o.presmoothingSigma > 0 ? gaussianBlur(i1, o.presmoothingSigma) : i1]
  for (let l = 1; l < o.levels; l++) {
    const prev0 = P0[l - 1]!
    const w = Math.round(prev0.width / 2)
    const h = Math.round(prev0.height / 2)
    if (w < MIN_LEVEL_SIDE || h < MIN_LEVEL_SIDE) break
    P0.push(resizeArea(prev0, w, h))
    P1.push(resizeArea(P1[l - 1]!, w, h))
  }

  const top = P0[P0.length - 1]!
  let flow = createFlow(top.width, top.height)
  for (let l = P0.length - 1; l >= 0; l--) {
    const a = P0[l]!
    if (flow.width !== a.width || flow.height !== a.height) {
      const sx = a.width / flow.width
      const sy = a.height / flow.height
      const u = resizeBilinear({ width: flow.width, height: flow.height, data: flow.u }, a.width, a.height).data
      const v = resizeBilinear({ width: flow.width, height: flow.height, data: flow.v }, a.width, a.height).data
      for (let i = 0; i < u.length; i++) {
        u[i] = u[i]! * sx
        v[i] = v[i]! * sy
      }
      flow = { width: a.width, height: a.height, u, v }
    }
    refineLevel(a, P1[l]!, flow, o)
  }
  return flow
}

/**
 * Gauss–Newton refinement of `flow` at one level (in place). Each pixel is tracked on its own, as
 * Bouguet's tracker does for a feature: its window of I1 is resampled at the pixel's current
 * displacement, so the 2×2 system is consistent and the iteration converges.
 */
function refineLevel(I0: GrayImage, I1: GrayImage, flow: FlowField, o: LucasKanadeOptions): void {
  const { width: w, height: h } = I0
  const n = w * h
  const r = o.windowSize >> 1
  const { gx, gy } = centralGradients(I0)
  const gxx = new Float32Array(n)
  const gxy = new Float32Array(n)
  const gyy = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    gxx[i] = gx[i]! * gx[i]!
    gxy[i] = gx[i]! * gy[i]!
    gyy[i] = gy[i]! * gy[i]!
  }
  const Sxx = boxSum(gxx, w, h, r)
  const Sxy = boxSum(gxy, w, h, r)
  const Syy = boxSum(gyy, w, h, r)
  const minEig = o.minEigenvalue * o.windowSize * o.windowSize
  const { u, v } = flow
  const src = I1.data
  const tpl = I0.data
  const wm = w - 1
  const hm = h - 1
  for (let y = 0; y < h; y++) {
    const y0w = Math.max(0, y - r)
    const y1w = Math.min(hm, y + r)
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      const a = Sxx[i]!
      const b = Sxy[i]!
      const c = Syy[i]!
      const det = a * c - b * b
      // Smallest eigenvalue of G = [[a, b], [b, c]] (Shi–Tomasi); skip ill-conditioned windows.
      const lmin = 0.5 * (a + c - Math.sqrt((a - c) * (a - c) + 4 * b * b))
      if (lmin < minEig || det <= 0) continue
      const x0w = Math.max(0, x - r)
      const x1w = Math.min(wm, x + r)
      let du = u[i]!
      let dv = v[i]!
      for (let it = 0; it < o.iterations; it++) {
        const ox = Math.floor(du)
        const oy = Math.floor(dv)
        const tx = du - ox
        const ty = dv - oy
        const inside = x0w + ox >= 0 && x1w + ox + 1 <= wm && y0w + oy >= 0 && y1w + oy + 1 <= hm
        let ex = 0
        let ey = 0
        for (let yy = y0w; yy <= y1w; yy++) {
          for (let xx = x0w; xx <= x1w; xx++) {
            const j = yy * w + xx
            let s: number
            if (inside) {
              const k = j + oy * w + ox
              const top = src[k]! + tx * (src[k + 1]! - src[k]!)
              const bot = src[k + w]! + tx * (src[k + w + 1]! - src[k + w]!)
              s = top + ty * (bot - top)
            } else {
              let fx = xx + du
              let fy = yy + dv
              fx = fx < 0 ? 0 : fx > wm ? wm : fx
              fy = fy < 0 ? 0 : fy > hm ? hm : fy
              const px = Math.floor(fx)
              const py = Math.floor(fy)
              const qx = px < wm ? px + 1 : px
              const qy = py < hm ? py + 1 : py
              const sx = fx - px
              const sy = fy - py
              const top = src[py * w + px]! + sx * (src[py * w + qx]! - src[py * w + px]!)
              const bot = src[qy * w + px]! + sx * (src[qy * w + qx]! - src[qy * w + px]!)
              s = top + sy * (bot - top)
            }
            const e = s - tpl[j]!
            ex += gx[j]! * e
            ey += gy[j]! * e
          }
        }
        // δ = −G⁻¹·b (Bouguet eq. 10).
        const ddu = -(c * ex - b * ey) / det
        const ddv = -(a * ey - b * ex) / det
        du += ddu
        dv += ddv
        if (ddu * ddu + ddv * ddv < 1e-6) break
      }
      u[i] = du
      v[i] = dv
    }
  }
}

/** Sum over a (2r+1)² window, window clipped at the borders (running sums, O(1) per pixel). */
function boxSum(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float64Array(w * h)
  for (let y = 0; y < h; y++) {
    const row = y * w
    let acc = 0
    for (let x = 0; x <= Math.min(r, w - 1); x++) acc += src[row + x]!
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc
      if (x + r + 1 < w) acc += src[row + x + r + 1]!
      if (x - r >= 0) acc -= src[row + x - r]!
    }
  }
  const out = new Float32Array(w * h)
  for (let x = 0; x < w; x++) {
    let acc = 0
    for (let y = 0; y <= Math.min(r, h - 1); y++) acc += tmp[y * w + x]!
    for (let y = 0; y < h; y++) {
      out[y * w + x] = acc
      if (y + r + 1 < h) acc += tmp[(y + r + 1) * w + x]!
      if (y - r >= 0) acc -= tmp[(y - r) * w + x]!
    }
  }
  return out
}
