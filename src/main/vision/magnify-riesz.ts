/**
 * Phase-based video magnification with the Riesz pyramid (Wadhwa, Rubinstein, Durand & Freeman,
 * "Riesz Pyramids for Fast Phase-Based Video Magnification", ICCP 2014).
 *
 * Each Laplacian band I is paired with its Riesz transform (R₁, R₂) (exact by FFT by default,
 * or the paper's 3-tap [½ 0 −½] approximation, §4) to form the quaternion q = I + iR₁ + jR₂ = A·e^{φ(i cos θ + j sin θ)}.
 * The local phase change between consecutive frames is q_t·q̄_{t−1} (§5, Eq. 10–12); summed over
 * time it gives the phase relative to the first frame as the vector (φ cos θ, φ sin θ), which is
 * band-passed in time, smoothed with an amplitude-weighted Gaussian (§5, Eq. 13) and multiplied
 * by α; the band is then phase-shifted, Re(e^{α·φ_f·(i cos θ + j sin θ)}·q) (Eq. 9). Motion δ
 * becomes (1 + α)δ with far less noise amplification than the linear method and a wider valid
 * range (αδ up to about λ/4 per band instead of λ/8 overall). The residual is left unchanged.
 */
import { rgbToYiq, yiqToRgb, type RgbImage } from './color'
import { gaussianBlur, type GrayImage } from './image'
import type { TemporalFilter } from './magnify-eulerian'
import { fft2d, nextPowerOfTwo } from './fft'
import { collapseLaplacian, laplacianPyramid, maxPyramidLevels, type Pyramid } from './pyramid'
import { IIR_DEFAULTS, createIirBandpass, idealBandpassInPlace, iirBandpassStep, type IirBandpassState } from './temporal'

export interface RieszOptions {
  /** Pyramid levels including the residual; clamped to what the frame size allows. Default 6. */
  levels?: number
  /** Amplification α of the phase. Default 10. */
  alpha?: number
  /** Temporal band-pass of the phase. Default IIR r₁ 0.4, r₂ 0.05 (same as the Eulerian default). */
  filter?: TemporalFilter
  /** σ (pixels of each level) of the amplitude-weighted phase smoothing; 0 disables it. Default 2 (Wadhwa et al.). */
  sigma?: number
  /** Leave the finest band unamplified (noise-dominated on real video). Default false. */
  skipFinestLevel?: boolean
  /** Riesz transform: `exact` (FFT, default) or Wadhwa et al.'s 3-tap `approx` (faster, under-magnifies). */
  riesz?: RieszFilter
}

export const RIESZ_DEFAULTS: Required<RieszOptions> = {
  levels: 6,
  alpha: 10,
  filter: { kind: 'iir', ...IIR_DEFAULTS },
  sigma: 2,
  skipFinestLevel: false,
  riesz: 'exact',
}

export type RieszFilter = 'exact' | 'approx'

/**
 * Riesz transform (R₁, R₂) of a band. `approx`: the 3-tap filters of Wadhwa et al. §4,
 * R₁ = (I[x+1] − I[x−1])/2 and likewise in y — exact only near ω = π/2, so on Laplacian bands
 * (which spread over ω ≈ π/4…π) it compresses the phase and under-magnifies by up to ~25 %.
 * `exact`: R̂ⱼ(ω) = i·ωⱼ/|ω|·Î(ω) by FFT (same sign as the 3-tap filters), the band reflected
 * into a power-of-two frame (see `fftSide`).
 */
export function rieszTransform(band: GrayImage, method: RieszFilter = 'exact'): { r1: Float32Array; r2: Float32Array } {
  return method === 'exact' ? rieszExact(band) : rieszApprox(band)
}

function rieszApprox(band: GrayImage): { r1: Float32Array; r2: Float32Array } {
  const { width: w, height: h, data: I } = band
  const r1 = new Float32Array(w * h)
  const r2 = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const r0 = y * w
    const rm = (y > 0 ? y - 1 : Math.min(1, h - 1)) * w
    const rp = (y < h - 1 ? y + 1 : Math.max(h - 2, 0)) * w
    for (let x = 0; x < w; x++) {
      const xm = x > 0 ? x - 1 : Math.min(1, w - 1)
      const xp = x < w - 1 ? x + 1 : Math.max(w - 2, 0)
      r1[r0 + x] = 0.5 * (I[r0 + xp]! - I[r0 + xm]!)
      r2[r0 + x] = 0.5 * (I[rp + x]! - I[rm + x]!)
    }
  }
  return { r1, r2 }
}

function reflect101(i: number, n: number): number {
  if (n === 1) return 0
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i
  return i
}

/**
 * FFT side for a band side n: the next power of two, doubled for small bands (< 64 px) that would
 * otherwise get less than 8 px of reflected margin. Large bands may wrap around at the border
 * (the Riesz kernel decays as 1/r², so that touches only the outermost pixels).
 */
function fftSide(n: number): number {
  const p = nextPowerOfTwo(n)
  return n < 64 && p - n < 16 ? 2 * p : p
}

function rieszExact(band: GrayImage): { r1: Float32Array; r2: Float32Array } {
  const { width: w, height: h, data: I } = band
  const W = fftSide(w)
  const H = fftSide(h)
  const ox = (W - w) >> 1
  const oy = (H - h) >> 1
  const re = new Float64Array(W * H)
  const im = new Float64Array(W * H)
  const xs = new Int32Array(W)
  for (let X = 0; X < W; X++) xs[X] = reflect101(X - ox, w)
  for (let Y = 0; Y < H; Y++) {
    const row = reflect101(Y - oy, h) * w
    for (let X = 0; X < W; X++) re[Y * W + X] = I[row + xs[X]!]!
  }
  fft2d(re, im, W, H, false)
  // Z = R̂₁ + i·R̂₂ with R̂ⱼ = i·ωⱼ/|ω|·Î, so that the inverse gives R₁ + i·R₂ (both real).
  for (let Y = 0; Y < H; Y++) {
    const wy = (2 * Math.PI * (Y <= H / 2 ? Y : Y - H)) / H
    for (let X = 0; X < W; X++) {
      const wx = (2 * Math.PI * (X <= W / 2 ? X : X - W)) / W
      const k = Y * W + X
      const mag = Math.hypot(wx, wy)
      if (mag === 0) {
        re[k] = 0
        im[k] = 0
        continue
      }
      const a = re[k]!
      const b = im[k]!
      // i·(ωx + i·ωy)/|ω|·(a + ib) = (−ωy + i·ωx)/|ω|·(a + ib)
      const cr = -wy / mag
      const ci = wx / mag
      re[k] = cr * a - ci * b
      im[k] = cr * b + ci * a
    }
  }
  fft2d(re, im, W, H, true)
  const r1 = new Float32Array(w * h)
  const r2 = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (y + oy) * W + x + ox
      r1[y * w + x] = re[k]!
      r2[y * w + x] = im[k]!
    }
  }
  return { r1, r2 }
}

interface LevelState {
  prevI: Float32Array
  prevR1: Float32Array
  prevR2: Float32Array
  /** Cumulative phase vector (φ cos θ, φ sin θ) relative to the first frame. */
  phaseC: Float32Array
  phaseS: Float32Array
  amplitude: Float32Array
}

/**
 * Adds the phase change from the previous frame's quaternion to the current one (q_t·q̄_{t−1},
 * Wadhwa et al. Eq. 10–12) to the cumulative phase, and stores √|q_t·q̄_{t−1}| as the amplitude.
 */
function accumulatePhase(st: LevelState, I: Float32Array, r1: Float32Array, r2: Float32Array): void {
  const { prevI, prevR1, prevR2, phaseC, phaseS, amplitude } = st
  for (let p = 0; p < I.length; p++) {
    const a = I[p]!
    const b = r1[p]!
    const c = r2[p]!
    const pa = prevI[p]!
    const pb = prevR1[p]!
    const pc = prevR2[p]!
    const re = a * pa + b * pb + c * pc
    const x = -a * pb + pa * b
    const y = -a * pc + pa * c
    const vec = Math.sqrt(x * x + y * y)
    const norm = Math.sqrt(re * re + vec * vec)
    amplitude[p] = Math.sqrt(norm)
    if (vec > 0) {
      const dphi = Math.acos(Math.max(-1, Math.min(1, re / norm)))
      phaseC[p] = phaseC[p]! + (dphi * x) / vec
      phaseS[p] = phaseS[p]! + (dphi * y) / vec
    }
    prevI[p] = a
    prevR1[p] = b
    prevR2[p] = c
  }
}

/** Amplitude-weighted Gaussian smoothing of a phase plane: blur(A·φ)/blur(A) (Wadhwa et al. Eq. 13). */
function amplitudeWeightedBlur(phase: Float32Array, amplitude: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return phase
  const weighted = new Float32Array(phase.length)
  for (let p = 0; p < phase.length; p++) weighted[p] = phase[p]! * amplitude[p]!
  const num = gaussianBlur({ width, height, data: weighted }, sigma).data
  const den = gaussianBlur({ width, height, data: amplitude }, sigma).data
  for (let p = 0; p < num.length; p++) num[p] = den[p]! > 1e-12 ? num[p]! / den[p]! : 0
  return num
}

/** Real part of e^{φ_c i + φ_s j}·q written back into `I` (Wadhwa et al. Eq. 9). */
function phaseShiftInPlace(I: Float32Array, r1: Float32Array, r2: Float32Array, pc: Float32Array, ps: Float32Array, alpha: number): void {
  for (let p = 0; p < I.length; p++) {
    const c = alpha * pc[p]!
    const s = alpha * ps[p]!
    const mag = Math.sqrt(c * c + s * s)
    if (mag === 0) continue
    const sn = Math.sin(mag) / mag
    I[p] = Math.cos(mag) * I[p]! - c * sn * r1[p]! - s * sn * r2[p]!
  }
}

/** Phase-magnifies a gray clip. */
export function magnifyRiesz(frames: readonly GrayImage[], options: RieszOptions = {}): GrayImage[] {
  if (frames.length === 0) return []
  const o = { ...RIESZ_DEFAULTS, ...options }
  const { width, height } = frames[0]!
  for (const f of frames) if (f.width !== width || f.height !== height) throw new RangeError('magnify: frame sizes differ')
  const levels = Math.min(o.levels, maxPyramidLevels(width, height))
  const bands = levels - 1
  const firstBand = o.skipFinestLevel ? 1 : 0
  const pyrs: Pyramid[] = []
  const riesz: { r1: Float32Array; r2: Float32Array }[][] = []
  const states: LevelState[] = []
  // Phase vectors per frame and band (kept for the ideal filter, streamed through the IIR one).
  const phases: { c: Float32Array; s: Float32Array; a: Float32Array }[][] = []
  const iir: { c: IirBandpassState; s: IirBandpassState }[] = []
  const out: GrayImage[] = []
  const filter = o.filter
  const ideal = filter.kind === 'ideal'

  frames.forEach((frame, t) => {
    const pyr = laplacianPyramid(frame, levels)
    const rz: { r1: Float32Array; r2: Float32Array }[] = []
    const ph: { c: Float32Array; s: Float32Array; a: Float32Array }[] = []
    for (let l = 0; l < bands; l++) {
      const band = pyr.levels[l]!
      const r = rieszTransform(band, o.riesz)
      rz.push(r)
      if (t === 0) {
        const n = band.data.length
        states.push({
          prevI: new Float32Array(band.data),
          prevR1: new Float32Array(r.r1),
          prevR2: new Float32Array(r.r2),
          phaseC: new Float32Array(n),
          phaseS: new Float32Array(n),
          amplitude: new Float32Array(n),
        })
        if (filter.kind === 'iir') iir.push({ c: createIirBandpass(n, filter), s: createIirBandpass(n, filter) })
        // Amplitude of the first frame is |q₀|.
        const a = states[l]!.amplitude
        for (let p = 0; p < n; p++) a[p] = Math.hypot(band.data[p]!, r.r1[p]!, r.r2[p]!)
      } else {
        accumulatePhase(states[l]!, band.data, r.r1, r.r2)
      }
      const st = states[l]!
      ph.push({ c: new Float32Array(st.phaseC), s: new Float32Array(st.phaseS), a: new Float32Array(st.amplitude) })
    }
    if (ideal) {
      pyrs.push(pyr)
      riesz.push(rz)
      phases.push(ph)
      return
    }
    for (let l = firstBand; l < bands; l++) {
      const f = iir[l]!
      iirBandpassStep(f.c, ph[l]!.c, ph[l]!.c)
      iirBandpassStep(f.s, ph[l]!.s, ph[l]!.s)
    }
    out.push(render(pyr, rz, ph))
  })
  if (filter.kind !== 'ideal') return out

  for (let l = firstBand; l < bands; l++) {
    idealBandpassInPlace(
      phases.map((p) => p[l]!.c),
      filter,
    )
    idealBandpassInPlace(
      phases.map((p) => p[l]!.s),
      filter,
    )
  }
  return pyrs.map((pyr, t) => render(pyr, riesz[t]!, phases[t]!))

  function render(
    pyr: Pyramid,
    rz: { r1: Float32Array; r2: Float32Array }[],
    ph: { c: Float32Array; s: Float32Array; a: Float32Array }[],
  ): GrayImage {
    for (let l = firstBand; l < bands; l++) {
      const band = pyr.levels[l]!
      const pc = amplitudeWeightedBlur(ph[l]!.c, ph[l]!.a, band.width, band.height, o.sigma)
      const ps = amplitudeWeightedBlur(ph[l]!.s, ph[l]!.a, band.width, band.height, o.sigma)
      phaseShiftInPlace(band.data, rz[l]!.r1, rz[l]!.r2, pc, ps, o.alpha)
    }
    return collapseLaplacian(pyr)
  }
}

/** Phase-magnifies a colour clip: luminance Y magnified, chrominance I, Q kept (Wadhwa et al. work on Y). */
export function magnifyRieszRgb(frames: readonly RgbImage[], options: RieszOptions = {}): RgbImage[] {
  const yiq = frames.map(rgbToYiq)
  const y = magnifyRiesz(
    yiq.map((f) => f[0]),
    options,
  )
  return yiq.map((f, t) => yiqToRgb(y[t]!, f[1], f[2]))
}
