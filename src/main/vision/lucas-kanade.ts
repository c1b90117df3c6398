/**
 * Dense pyramidal Lucas–Kanade optical flow (Lucas & Kanade 1981; Bouguet, "Pyramidal
 * implementation of the Lucas Kanade feature tracker", 2000), evaluated at every pixel: at each
 * scale, coarse to fine, `iterations` Gauss–Newton steps solve the 2×2 normal equations
 * G·d = −b summed over a window, with G built from the gradient of I0 (Bouguet eq. 8).
 */
import {
  centralGradients,
  createFlow,
  gaussianBlur,
  resizeArea,
  resizeBilinear,
  type FlowField,
  type GrayImage,
} from './image'

export interface LucasKanadeOptions {
  /** Side of the square integration window (odd). */
  windowSize: number
  /** Pyramid levels (each half the size of the previous, coarsest side kept ≥ 8 px). */
  levels: number
  /** Gauss–Newton iterations per level. */
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

/** Gauss–Newton refinement of `flow` at one level (in place). */
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
  const bx = new Float32Array(n)
  const by = new Float32Array(n)
  const { u, v } = flow
  const src = I1.data
  const wm = w - 1
  const hm = h - 1
  for (let it = 0; it < o.iterations; it++) {
    // Mismatch I1(x + d) − I0(x) (bilinear, replicated borders) weighted by ∇I0.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x
        let fx = x + u[i]!
        let fy = y + v[i]!
        fx = fx < 0 ? 0 : fx > wm ? wm : fx
        fy = fy < 0 ? 0 : fy > hm ? hm : fy
        const x0 = Math.floor(fx)
        const y0 = Math.floor(fy)
        const x1 = x0 < wm ? x0 + 1 : x0
        const y1 = y0 < hm ? y0 + 1 : y0
        const tx = fx - x0
        const ty = fy - y0
        const top = src[y0 * w + x0]! + tx * (src[y0 * w + x1]! - src[y0 * w + x0]!)
        const bot = src[y1 * w + x0]! + tx * (src[y1 * w + x1]! - src[y1 * w + x0]!)
        const it1 = top + ty * (bot - top) - I0.data[i]!
        bx[i] = gx[i]! * it1
        by[i] = gy[i]! * it1
      }
    }
    const Bx = boxSum(bx, w, h, r)
    const By = boxSum(by, w, h, r)
    for (let i = 0; i < n; i++) {
      const a = Sxx[i]!
      const b = Sxy[i]!
      const c = Syy[i]!
      const det = a * c - b * b
      // Smallest eigenvalue of [[a, b], [b, c]].
      const lmin = 0.5 * (a + c - Math.sqrt((a - c) * (a - c) + 4 * b * b))
      if (lmin < minEig || det === 0) continue
      const ex = Bx[i]!
      const ey = By[i]!
      u[i] = u[i]! - (c * ex - b * ey) / det
      v[i] = v[i]! - (a * ey - b * ex) / det
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
