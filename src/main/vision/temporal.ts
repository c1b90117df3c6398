/**
 * Temporal processing of frame sequences: ISDF, temporal normalisation to N frames (linear and TIM)
 * and the temporal band-pass filters of Eulerian / phase-based magnification.
 *
 * Sequences are arrays of equally sized planes (`GrayImage` or raw `Float32Array`s); nothing here
 * looks at pixel neighbourhoods, so the same code serves gray frames, colour planes, flow
 * components and pyramid levels.
 */
import type { GrayImage } from './image'

// ---------------------------------------------------------------------------------------------
// ISDF
// ---------------------------------------------------------------------------------------------

/**
 * Image sequence difference feature (Xue et al. 2024, AST+SVMNet §III-A-3, Eq. 1):
 * Dᵢ(x, y) = Iᵢ(x, y) − I_onset(x, y) for every frame i of the clip (D_onset = 0). Signed, same
 * units as the frames.
 */
export function isdf(frames: readonly GrayImage[], onset = 0): GrayImage[] {
  if (frames.length === 0) throw new RangeError('isdf: empty sequence')
  if (!Number.isInteger(onset) || onset < 0 || onset >= frames.length) {
    throw new RangeError(`isdf: onset ${onset} outside 0…${frames.length - 1}`)
  }
  const ref = frames[onset]!
  return frames.map((f) => {
    if (f.width !== ref.width || f.height !== ref.height) throw new RangeError('isdf: frame sizes differ')
    const d = new Float32Array(f.data.length)
    for (let p = 0; p < d.length; p++) d[p] = f.data[p]! - ref.data[p]!
    return { width: f.width, height: f.height, data: d }
  })
}

// ---------------------------------------------------------------------------------------------
// Temporal normalisation
// ---------------------------------------------------------------------------------------------

export type TemporalMethod = 'linear' | 'tim'

/**
 * Weights w[j·nIn + i] such that output frame j = Σᵢ w·input frame i, for `nOut` frames spread
 * uniformly from the first to the last input frame (both kept exactly).
 *
 * - `linear`: piecewise-linear interpolation between the two neighbouring frames.
 * - `tim`: temporal interpolation model (Zhou, Zhao & Pietikäinen 2011; Pfister et al. 2011): the
 *   frames are embedded on the path graph Pₙ, whose Laplacian eigenvectors are
 *   y_k(i) = cos(πk(i − ½)/n), k = 0…n−1; the linear map from embedding to (mean-centred) frames is
 *   learnt exactly (it exists because the n frames are affinely independent in the graph
 *   embedding), and new frames are read off the continuous curve y_k(s), s ∈ [1, n]. With all
 *   n−1 components kept (the PCA step of the original changes nothing then) this is
 *   x(s) = Σᵢ xᵢ [1/n + (2/n) Σₖ y_k(i) y_k(s)], reproducing every input frame exactly at s = i.
 *   Note: the eigenvectors are used in their exact closed form; the phase term printed in Zhou et
 *   al.'s formula is not an eigenvector of the path Laplacian for every k.
 */
export function temporalWeights(nIn: number, nOut: number, method: TemporalMethod = 'linear'): Float64Array {
  if (!Number.isInteger(nIn) || nIn < 1) throw new RangeError(`input length must be ≥ 1, got ${nIn}`)
  if (!Number.isInteger(nOut) || nOut < 1) throw new RangeError(`output length must be ≥ 1, got ${nOut}`)
  const w = new Float64Array(nOut * nIn)
  for (let j = 0; j < nOut; j++) {
    // Position in input frames, 0-based: 0 … nIn − 1.
    const s = nOut === 1 ? 0 : (j * (nIn - 1)) / (nOut - 1)
    const row = j * nIn
    if (method === 'linear' || nIn === 1) {
      const i0 = Math.min(Math.floor(s), nIn - 1)
      const i1 = Math.min(i0 + 1, nIn - 1)
      const f = s - i0
      w[row + i0] = w[row + i0]! + (1 - f)
      w[row + i1] = w[row + i1]! + f
    } else {
      const n = nIn
      for (let i = 0; i < n; i++) {
        let acc = 1 / n
        for (let k = 1; k < n; k++) acc += (2 / n) * Math.cos((Math.PI * k * (i + 0.5)) / n) * Math.cos((Math.PI * k * (s + 0.5)) / n)
        w[row + i] = acc
      }
    }
  }
  return w
}

/** Resamples a sequence of equally sized planes to `nOut` planes (see `temporalWeights`). */
export function resampleSequence(planes: readonly Float32Array[], nOut: number, method: TemporalMethod = 'linear'): Float32Array[] {
  const nIn = planes.length
  if (nIn === 0) throw new RangeError('resampleSequence: empty sequence')
  const size = planes[0]!.length
  for (const p of planes) if (p.length !== size) throw new RangeError('resampleSequence: plane sizes differ')
  const w = temporalWeights(nIn, nOut, method)
  const out: Float32Array[] = []
  for (let j = 0; j < nOut; j++) {
    const acc = new Float64Array(size)
    for (let i = 0; i < nIn; i++) {
      const wi = w[j * nIn + i]!
      if (wi === 0) continue
      const src = planes[i]!
      for (let p = 0; p < size; p++) acc[p] = acc[p]! + wi * src[p]!
    }
    out.push(Float32Array.from(acc))
  }
  return out
}

/** Temporal normalisation of a clip to `n` frames (CBAMNet/MS-3D-ResNet 16, ASTNet 11, AST+SVMNet 10). */
export function normalizeLength(frames: readonly GrayImage[], n: number, method: TemporalMethod = 'linear'): GrayImage[] {
  if (frames.length === 0) throw new RangeError('normalizeLength: empty sequence')
  const { width, height } = frames[0]!
  for (const f of frames) if (f.width !== width || f.height !== height) throw new RangeError('normalizeLength: frame sizes differ')
  return resampleSequence(
    frames.map((f) => f.data),
    n,
    method,
  ).map((data) => ({ width, height, data }))
}

// ---------------------------------------------------------------------------------------------
// Temporal band-pass filters (Wu et al. 2012, §3 and their reference code)
// ---------------------------------------------------------------------------------------------

/**
 * IIR band-pass as the difference of two first-order low-passes (Wu et al. 2012, code
 * `amplify_spatial_lpyr_temporal_iir`): lᵢ ← (1 − rᵢ)·lᵢ + rᵢ·x, output l₁ − l₂, with r₁ > r₂ the
 * high and low cut-off weights. Both low-passes start at the first frame, so frame 0 gives 0.
 */
export interface IirBandpassOptions {
  /** Weight of the fast low-pass (higher cut-off). Default 0.4 (MER papers). */
  r1?: number
  /** Weight of the slow low-pass (lower cut-off). Default 0.05 (MER papers). */
  r2?: number
}

export const IIR_DEFAULTS: Required<IirBandpassOptions> = { r1: 0.4, r2: 0.05 }

export interface IirBandpassState {
  r1: number
  r2: number
  low1: Float32Array
  low2: Float32Array
  started: boolean
}

export function createIirBandpass(size: number, options: IirBandpassOptions = {}): IirBandpassState {
  const { r1, r2 } = { ...IIR_DEFAULTS, ...options }
  if (!(r1 > 0 && r1 <= 1 && r2 > 0 && r2 <= 1)) throw new RangeError('IIR weights r1, r2 must be in (0, 1]')
  return { r1, r2, low1: new Float32Array(size), low2: new Float32Array(size), started: false }
}

/** Feeds one frame `x`, writes the band-passed value into `out` (may alias `x`). */
export function iirBandpassStep(state: IirBandpassState, x: Float32Array, out: Float32Array): void {
  const { r1, r2, low1, low2 } = state
  if (x.length !== low1.length || out.length !== low1.length) throw new RangeError('IIR band-pass: size mismatch')
  if (!state.started) {
    low1.set(x)
    low2.set(x)
    state.started = true
    out.fill(0)
    return
  }
  const a1 = 1 - r1
  const a2 = 1 - r2
  for (let p = 0; p < x.length; p++) {
    const v = x[p]!
    const l1 = a1 * low1[p]! + r1 * v
    const l2 = a2 * low2[p]! + r2 * v
    low1[p] = l1
    low2[p] = l2
    out[p] = l1 - l2
  }
}

/**
 * |H(e^{jω})| of the IIR band-pass at `frequency` cycles per frame (0…0.5):
 * H(z) = r₁/(1 − (1−r₁)z⁻¹) − r₂/(1 − (1−r₂)z⁻¹).
 */
export function iirBandpassGain(frequency: number, options: IirBandpassOptions = {}): number {
  const { r1, r2 } = { ...IIR_DEFAULTS, ...options }
  const w = 2 * Math.PI * frequency
  const c = Math.cos(w)
  const s = Math.sin(w)
  // r / (1 − a e^{−jω}) with a = 1 − r: denominator (1 − a cos ω) + j a sin ω.
  const term = (r: number): [number, number] => {
    const a = 1 - r
    const dr = 1 - a * c
    const di = a * s
    const d2 = dr * dr + di * di
    return [(r * dr) / d2, (-r * di) / d2]
  }
  const [ar, ai] = term(r1)
  const [br, bi] = term(r2)
  return Math.hypot(ar - br, ai - bi)
}

/** Ideal band-pass over a whole clip: keeps the DFT bins with low ≤ f ≤ high (Hz). */
export interface IdealBandpassOptions {
  /** Frame rate of the clip (Hz). */
  fps: number
  /** Lower edge (Hz), inclusive. */
  low: number
  /** Upper edge (Hz), inclusive. */
  high: number
}

/** DFT bins k (0 ≤ k ≤ ⌊T/2⌋) whose frequency k·fps/T lies in [low, high]. */
export function idealBandpassBins(length: number, options: IdealBandpassOptions): number[] {
  const { fps, low, high } = options
  if (!(fps > 0) || !(high >= low)) throw new RangeError('ideal band-pass: need fps > 0 and high ≥ low')
  const bins: number[] = []
  for (let k = 0; k <= Math.floor(length / 2); k++) {
    const f = (k * fps) / length
    if (f >= low && f <= high) bins.push(k)
  }
  return bins
}

/**
 * Ideal temporal band-pass (Wu et al. 2012, code `ideal_bandpassing`: FFT along time, zero the
 * bins outside the band, inverse FFT), evaluated as a DFT restricted to the kept bins, so the cost
 * is O(T · bins) per pixel instead of O(T²). Replaces each plane of `series` in place.
 */
export function idealBandpassInPlace(series: Float32Array[], options: IdealBandpassOptions): void {
  const T = series.length
  if (T === 0) return
  const size = series[0]!.length
  for (const s of series) if (s.length !== size) throw new RangeError('ideal band-pass: plane sizes differ')
  const bins = idealBandpassBins(T, options)
  // C_k = Σₜ x(t) cos θ, S_k = Σₜ x(t) sin θ, θ = 2πkt/T.
  const C = bins.map(() => new Float64Array(size))
  const S = bins.map(() => new Float64Array(size))
  for (let t = 0; t < T; t++) {
    const x = series[t]!
    for (let b = 0; b < bins.length; b++) {
      const th = (2 * Math.PI * bins[b]! * t) / T
      const c = Math.cos(th)
      const s = Math.sin(th)
      const Cb = C[b]!
      const Sb = S[b]!
      for (let p = 0; p < size; p++) {
        const v = x[p]!
        Cb[p] = Cb[p]! + v * c
        Sb[p] = Sb[p]! + v * s
      }
    }
  }
  // x_f(t) = Σ_k w_k (C_k cos θ + S_k sin θ)/T, w = 1 for DC and Nyquist, 2 otherwise.
  for (let t = 0; t < T; t++) {
    const x = series[t]!
    x.fill(0)
    for (let b = 0; b < bins.length; b++) {
      const k = bins[b]!
      const wk = (k === 0 || 2 * k === T ? 1 : 2) / T
      const th = (2 * Math.PI * k * t) / T
      const c = wk * Math.cos(th)
      const s = wk * Math.sin(th)
      const Cb = C[b]!
      const Sb = S[b]!
      for (let p = 0; p < size; p++) x[p] = x[p]! + Cb[p]! * c + Sb[p]! * s
    }
  }
}
