/**
 * Linear Eulerian video magnification (Wu, Rubinstein, Shih, Guttag, Durand & Freeman,
 * "Eulerian Video Magnification for Revealing Subtle Changes in the World", SIGGRAPH 2012).
 *
 * Each frame is decomposed into a Laplacian pyramid; every band is filtered in time (IIR
 * difference of low-passes or an ideal band-pass over the clip), multiplied by a per-level
 * amplification αₗ and added back: Î(x, t) = I(x, t) + Σₗ αₗ·Bₗ(x, t) (Eq. 4–5). For a motion δ(t)
 * inside the pass band this renders the frame displaced by (1 + α)δ(t) as long as
 * (1 + α)δ(t) < λ/8 (Eq. 14); αₗ is cut down on the fine levels where that bound fails (λc).
 *
 * Defaults are the ones used by the micro-expression papers that magnify with EVM (MS-3D-ResNet,
 * CBAMNet, AST+SVMNet preprocessing): 6 levels, IIR r₁ 0.4 / r₂ 0.05, α 10, λc 16.
 */
import { rgbToYiq, yiqToRgb, type RgbImage } from './color'
import type { GrayImage } from './image'
import { collapseLaplacian, laplacianPyramid, maxPyramidLevels, type Pyramid } from './pyramid'
import {
  IIR_DEFAULTS,
  createIirBandpass,
  idealBandpassInPlace,
  iirBandpassStep,
  type IdealBandpassOptions,
  type IirBandpassOptions,
} from './temporal'

/** Temporal band-pass: causal IIR (streams, MER default) or ideal over the whole clip. */
export type TemporalFilter = ({ kind: 'iir' } & IirBandpassOptions) | ({ kind: 'ideal' } & IdealBandpassOptions)

export interface EulerianOptions {
  /** Pyramid levels including the low-pass residual; clamped to what the frame size allows. Default 6. */
  levels?: number
  /** Amplification α. Default 10 (MER papers use 10–20). */
  alpha?: number
  /** Cut-off wavelength λc in pixels: bands with shorter wavelengths get a smaller α (Eq. 14). Default 16. */
  lambdaC?: number
  /** Temporal band-pass. Default IIR r₁ 0.4, r₂ 0.05. */
  filter?: TemporalFilter
  /**
   * Factor on the attenuated αₗ below λc. Default 2, the `exaggeration_factor` of Wu et al.'s
   * reference code, which the MER defaults were tuned with.
   */
  exaggeration?: number
  /**
   * Leave the finest band and the low-pass residual unamplified, as the reference code does
   * (the finest band is mostly noise, the residual mostly illumination). Default true.
   */
  skipExtremeLevels?: boolean
  /** Factor on α for the chrominance (I, Q) of colour clips. Default 0.1. */
  chromaAttenuation?: number
}

export const EULERIAN_DEFAULTS: Required<EulerianOptions> = {
  levels: 6,
  alpha: 10,
  lambdaC: 16,
  filter: { kind: 'iir', ...IIR_DEFAULTS },
  exaggeration: 2,
  skipExtremeLevels: true,
  chromaAttenuation: 0.1,
}

/**
 * αₗ per pyramid level (0 = finest, last = residual), following Wu et al.'s reference code: the
 * representative wavelength is √(w² + h²)/3 at the coarsest level and halves per finer level;
 * δ = λc / (8(1 + α)) is the largest motion the bound allows at λc, and a level with wavelength λ
 * gets αₗ = min(α, exaggeration·(λ/(8δ) − 1)), never below 0.
 */
export function eulerianLevelAlphas(width: number, height: number, options: EulerianOptions = {}): number[] {
  const o = { ...EULERIAN_DEFAULTS, ...options }
  const levels = Math.min(o.levels, maxPyramidLevels(width, height))
  const delta = o.lambdaC / 8 / (1 + o.alpha)
  const out: number[] = []
  for (let l = 0; l < levels; l++) {
    if (o.skipExtremeLevels && (l === 0 || l === levels - 1)) {
      out.push(0)
      continue
    }
    const lambda = Math.hypot(width, height) / 3 / 2 ** (levels - 1 - l)
    const attenuated = o.exaggeration * (lambda / delta / 8 - 1)
    out.push(Math.max(0, Math.min(o.alpha, attenuated)))
  }
  return out
}

/**
 * The amplified band-passed signal Σₗ αₗ·Bₗ(t) of each frame (same size as the frames), scaled
 * per level by `alphas`. Adding it to the frames gives the magnified clip.
 */
export function eulerianMotionSignal(frames: readonly GrayImage[], alphas: readonly number[], filter: TemporalFilter): GrayImage[] {
  if (frames.length === 0) return []
  const { width, height } = frames[0]!
  for (const f of frames) if (f.width !== width || f.height !== height) throw new RangeError('magnify: frame sizes differ')
  const levels = alphas.length
  if (filter.kind === 'iir') {
    let states: ReturnType<typeof createIirBandpass>[] | undefined
    return frames.map((frame) => {
      const pyr = laplacianPyramid(frame, levels)
      states ??= pyr.levels.map((lv) => createIirBandpass(lv.data.length, filter))
      for (let l = 0; l < levels; l++) {
        const d = pyr.levels[l]!.data
        iirBandpassStep(states[l]!, d, d)
        scaleInPlace(d, alphas[l]!)
      }
      return collapseLaplacian(pyr)
    })
  }
  const pyrs: Pyramid[] = frames.map((f) => laplacianPyramid(f, levels))
  for (let l = 0; l < levels; l++) {
    const series = pyrs.map((p) => p.levels[l]!.data)
    if (alphas[l] === 0) {
      for (const s of series) s.fill(0)
      continue
    }
    idealBandpassInPlace(series, filter)
    for (const s of series) scaleInPlace(s, alphas[l]!)
  }
  return pyrs.map(collapseLaplacian)
}

/** Magnifies a gray clip: Î = I + Σₗ αₗ·Bₗ. Frames keep their range (no clipping). */
export function magnifyEulerian(frames: readonly GrayImage[], options: EulerianOptions = {}): GrayImage[] {
  if (frames.length === 0) return []
  const o = { ...EULERIAN_DEFAULTS, ...options }
  const { width, height } = frames[0]!
  const alphas = eulerianLevelAlphas(width, height, o)
  const signal = eulerianMotionSignal(frames, alphas, o.filter)
  return frames.map((f, t) => {
    const s = signal[t]!.data
    for (let p = 0; p < s.length; p++) s[p] = s[p]! + f.data[p]!
    return signal[t]!
  })
}

/**
 * Magnifies a colour clip in YIQ: Y with αₗ, I and Q with αₗ·chromaAttenuation (Wu et al. §5,
 * "chrominance attenuation"), then back to RGB (no clipping).
 */
export function magnifyEulerianRgb(frames: readonly RgbImage[], options: EulerianOptions = {}): RgbImage[] {
  if (frames.length === 0) return []
  const o = { ...EULERIAN_DEFAULTS, ...options }
  const { width, height } = frames[0]!
  const alphas = eulerianLevelAlphas(width, height, o)
  const yiq = frames.map(rgbToYiq)
  const planes = [0, 1, 2].map((c) => {
    const seq = yiq.map((f) => f[c as 0 | 1 | 2])
    const gain = c === 0 ? 1 : o.chromaAttenuation
    const signal = eulerianMotionSignal(
      seq,
      alphas.map((a) => a * gain),
      o.filter,
    )
    return seq.map((f, t) => {
      const s = signal[t]!.data
      for (let p = 0; p < s.length; p++) s[p] = s[p]! + f.data[p]!
      return signal[t]!
    })
  })
  return frames.map((_, t) => yiqToRgb(planes[0]![t]!, planes[1]![t]!, planes[2]![t]!))
}

function scaleInPlace(d: Float32Array, k: number): void {
  if (k === 1) return
  for (let p = 0; p < d.length; p++) d[p] = d[p]! * k
}
