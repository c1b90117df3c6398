/**
 * Apex spotting: a per-frame motion signal relative to the onset (or first) frame, measured inside
 * facial regions, with the rigid nose-bridge patch subtracted to cancel head motion, smoothed in
 * time; its most prominent peak is the suggested apex, and where the onset/offset are not coded
 * they are suggested where the curve crosses a fraction of the peak height.
 *
 * Signals (each region's value is in pixels of displacement, except strain which is unitless):
 * - `difference` (default, cheapest): the head translation is estimated on the reference patch
 *   by least squares (Lucas–Kanade) and removed from the frame difference, then each region
 *   reports the first-order displacement magnitude that explains what is left,
 *   d = √(Σr² / Σ|∇I_ref|²) (brightness constancy: I_t − I_ref ≈ −∇I·d), minus the same for the
 *   reference patch (its noise floor). No flow needed, O(pixels) per frame — the right default
 *   for a suggestion that a coder then checks.
 * - `translation`: each region's least-squares (Lucas–Kanade) translation minus the reference
 *   patch's, |d_R − d_ref| — as cheap, less sensitive to resampling noise, blind to motion that
 *   does not translate a region as a whole.
 * - `flow`: mean |w − w̄_ref| of a dense flow field ref → t, w̄_ref the mean flow in the reference
 *   patch (head translation removed vectorially). Takes the flow function as a parameter
 *   (TV-L1, Farnebäck, LK), so this module stays pure and light.
 * - `strain`: mean optical strain of that flow (translation-invariant), minus the reference mean.
 * The frame curve is the maximum over the non-reference regions (micro-expressions are local: one
 * active region must not be diluted by the still ones).
 */
import { gaussianBlur, sobelGradients, type FlowField, type GrayImage } from './image'
import type { FaceRegion } from './face/regions'
import { polygonMask } from './face/regions'

export type SpottingSignal = 'difference' | 'translation' | 'flow' | 'strain'

export type FlowFunction = (i0: GrayImage, i1: GrayImage) => FlowField
export type StrainFunction = (flow: FlowField) => GrayImage

export interface SpotOptions {
  /** Coded onset (0-based): the reference frame. When absent, frame 0 is the reference and the onset is suggested. */
  onset?: number
  /** Coded offset (0-based); suggested when absent. */
  offset?: number
  /** Regions (image pixels of these frames), e.g. `auRegions(landmarks)`; default: the whole frame, no reference. */
  regions?: readonly FaceRegion[]
  /** Motion signal. Default `difference`. */
  signal?: SpottingSignal
  /** Dense flow ref → t; required for `flow` and `strain`. */
  flow?: FlowFunction
  /** Strain of a flow field; required for `strain`. */
  strain?: StrainFunction
  /** Spatial Gaussian σ (px) applied to frames before `difference`. Default 1. */
  spatialSigma?: number
  /** Temporal Gaussian σ (frames) smoothing the curve. Default 1.5. */
  temporalSigma?: number
  /** Number of peaks returned. Default 3. */
  topPeaks?: number
  /** Onset/offset suggestions: where the curve falls below this fraction of the apex height above the baseline. Default 0.2. */
  boundaryFraction?: number
  /**
   * Prominence that counts as a clear movement, in the signal's units: confidence is
   * prominence / (prominence + 3σ_noise + floor). Default 0.1 px for `difference` and `flow`, 0.005 for `strain`.
   */
  motionFloor?: number
}

export const SPOT_DEFAULTS = {
  signal: 'difference' as SpottingSignal,
  spatialSigma: 1,
  temporalSigma: 1.5,
  topPeaks: 3,
  boundaryFraction: 0.2,
}

export interface SpotPeak {
  frame: number
  /** Smoothed curve value at the peak. */
  value: number
  /** Topographic prominence over the neighbouring minima. */
  prominence: number
  /** prominence / (prominence + 3σ_noise + floor), 0–1: how clearly the peak stands above the frame-to-frame noise and the smallest meaningful motion. */
  confidence: number
}

export interface SpotResult {
  /** Reference frame of the signal (the coded onset, else 0). */
  reference: number
  onset: number
  apex: number
  offset: number
  /** Confidence of the apex peak (see `SpotPeak.confidence`). */
  confidence: number
  onsetSuggested: boolean
  offsetSuggested: boolean
  /** Smoothed motion curve, one value per frame. */
  curve: number[]
  /** Unsmoothed curve. */
  raw: number[]
  /** Unsmoothed per-region curves (reference subtracted), by region id. */
  regions: Record<string, number[]>
  peaks: SpotPeak[]
  signal: SpottingSignal
}

interface RegionIndex {
  id: string
  reference: boolean
  pixels: Int32Array
}

function regionIndices(regions: readonly FaceRegion[] | undefined, width: number, height: number): RegionIndex[] {
  if (!regions || regions.length === 0) {
    return [{ id: 'frame', reference: false, pixels: Int32Array.from({ length: width * height }, (_, i) => i) }]
  }
  const out: RegionIndex[] = []
  for (const r of regions) {
    const mask = polygonMask(r.polygon, width, height)
    const idx: number[] = []
    for (let i = 0; i < mask.length; i++) if (mask[i]) idx.push(i)
    if (idx.length > 0) out.push({ id: r.id, reference: r.reference, pixels: Int32Array.from(idx) })
  }
  if (!out.some((r) => !r.reference)) throw new RangeError('spotting: no non-reference region falls inside the frames')
  return out
}

/**
 * Per-region values for one frame from the frame difference ΔI = I_t − I_ref. When there is a
 * reference patch, its translation d is first estimated by least squares
 * (Σ∇I∇Iᵀ·d = −Σ∇I·ΔI over the patch, Lucas–Kanade) and removed everywhere: r = ΔI + ∇I·d.
 * Each region then reports √(Σr² / Σ|∇I|²), the displacement magnitude that explains r.
 */
function differenceValues(
  ref: GrayImage,
  gx: Float32Array,
  gy: Float32Array,
  frame: GrayImage,
  regions: RegionIndex[],
  refIdx: number,
): number[] {
  // Head translation from the reference patch, removed from every region's residual.
  const [dx, dy] = refIdx >= 0 ? regionTranslation(ref, gx, gy, frame, regions[refIdx]!.pixels) : [0, 0]
  return regions.map((r) => {
    let num = 0
    let den = 0
    for (let k = 0; k < r.pixels.length; k++) {
      const p = r.pixels[k]!
      const res = frame.data[p]! - ref.data[p]! + gx[p]! * dx + gy[p]! * dy
      num += res * res
      den += gx[p]! * gx[p]! + gy[p]! * gy[p]!
    }
    return den > 0 ? Math.sqrt(num / den) : 0
  })
}

/** Least-squares translation of one region (Lucas–Kanade over the region): Σ∇I∇Iᵀ·d = −Σ∇I·ΔI. */
function regionTranslation(ref: GrayImage, gx: Float32Array, gy: Float32Array, frame: GrayImage, pixels: Int32Array): [number, number] {
  let a = 0
  let b = 0
  let c = 0
  let bx = 0
  let by = 0
  for (let k = 0; k < pixels.length; k++) {
    const p = pixels[k]!
    const d = frame.data[p]! - ref.data[p]!
    a += gx[p]! * gx[p]!
    b += gx[p]! * gy[p]!
    c += gy[p]! * gy[p]!
    bx += gx[p]! * d
    by += gy[p]! * d
  }
  const det = a * c - b * b
  if (!(det > 1e-9 * (a + c) * (a + c))) return [0, 0]
  return [-(c * bx - b * by) / det, -(a * by - b * bx) / det]
}

/** Per-region |d_R − d_ref|: each region's least-squares translation minus the reference patch's. */
function translationValues(
  ref: GrayImage,
  gx: Float32Array,
  gy: Float32Array,
  frame: GrayImage,
  regions: RegionIndex[],
  refIdx: number,
): number[] {
  const [rx, ry] = refIdx >= 0 ? regionTranslation(ref, gx, gy, frame, regions[refIdx]!.pixels) : [0, 0]
  return regions.map((r, i) => {
    if (i === refIdx) return 0
    const [dx, dy] = regionTranslation(ref, gx, gy, frame, r.pixels)
    return Math.hypot(dx - rx, dy - ry)
  })
}

function flowValues(flow: FlowField, regions: RegionIndex[]): number[] {
  const refRegion = regions.find((r) => r.reference)
  let mu = 0
  let mv = 0
  if (refRegion) {
    for (let k = 0; k < refRegion.pixels.length; k++) {
      mu += flow.u[refRegion.pixels[k]!]!
      mv += flow.v[refRegion.pixels[k]!]!
    }
    mu /= refRegion.pixels.length
    mv /= refRegion.pixels.length
  }
  return regions.map((r) => {
    let acc = 0
    for (let k = 0; k < r.pixels.length; k++) {
      const p = r.pixels[k]!
      acc += Math.hypot(flow.u[p]! - mu, flow.v[p]! - mv)
    }
    return acc / r.pixels.length
  })
}

function meanValues(img: GrayImage, regions: RegionIndex[]): number[] {
  return regions.map((r) => {
    let acc = 0
    for (let k = 0; k < r.pixels.length; k++) acc += img.data[r.pixels[k]!]!
    return acc / r.pixels.length
  })
}

/** Gaussian smoothing of a 1-D signal, borders replicated. */
export function smoothCurve(values: readonly number[], sigma: number): number[] {
  if (!(sigma > 0) || values.length === 0) return values.slice()
  const r = Math.max(1, Math.ceil(3 * sigma))
  const k: number[] = []
  let s = 0
  for (let i = -r; i <= r; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma))
    k.push(w)
    s += w
  }
  const n = values.length
  return values.map((_, t) => {
    let acc = 0
    for (let i = -r; i <= r; i++) acc += k[i + r]! * values[Math.min(n - 1, Math.max(0, t + i))]!
    return acc / s
  })
}

/** σ of the frame-to-frame noise: 1.4826·MAD of the first differences / √2. */
function noiseSigma(raw: readonly number[]): number {
  if (raw.length < 3) return 0
  const d = raw.slice(1).map((v, i) => v - raw[i]!)
  const med = median(d)
  return (1.4826 * median(d.map((v) => Math.abs(v - med)))) / Math.SQRT2
}

function median(values: readonly number[]): number {
  const s = values.slice().sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Local maxima with their topographic prominence, most prominent first (`floor`: see `SpotOptions.motionFloor`). */
export function findPeaks(curve: readonly number[], noise: number, floor = 0): SpotPeak[] {
  const n = curve.length
  const peaks: SpotPeak[] = []
  for (let t = 0; t < n; t++) {
    const v = curve[t]!
    const left = t > 0 ? curve[t - 1]! : -Infinity
    const right = t < n - 1 ? curve[t + 1]! : -Infinity
    // Plateaus: count the first sample of a flat top only.
    if (!(v > left && v >= right)) continue
    let lmin = v
    for (let i = t - 1; i >= 0 && curve[i]! <= v; i--) lmin = Math.min(lmin, curve[i]!)
    let rmin = v
    for (let i = t + 1; i < n && curve[i]! <= v; i++) rmin = Math.min(rmin, curve[i]!)
    // A side that runs to the border without a higher sample counts its minimum; the higher base wins.
    const prominence = v - Math.max(lmin, rmin)
    const confidence = prominence > 0 ? prominence / (prominence + 3 * noise + floor) : 0
    peaks.push({ frame: t, value: v, prominence, confidence })
  }
  return peaks.sort((a, b) => b.prominence - a.prominence)
}

/** Spots the apex (and suggests onset/offset) of a clip. Frames must share one size. */
export function spotApex(frames: readonly GrayImage[], options: SpotOptions = {}): SpotResult {
  const o = { ...SPOT_DEFAULTS, ...options }
  const n = frames.length
  if (n < 3) throw new RangeError('spotting needs at least 3 frames')
  const { width, height } = frames[0]!
  for (const f of frames) if (f.width !== width || f.height !== height) throw new RangeError('spotting: frame sizes differ')
  const reference = o.onset ?? 0
  if (!Number.isInteger(reference) || reference < 0 || reference >= n) throw new RangeError(`onset ${reference} outside 0…${n - 1}`)
  if (o.offset !== undefined && (!Number.isInteger(o.offset) || o.offset <= reference || o.offset >= n)) {
    throw new RangeError(`offset ${o.offset} must lie after the onset ${reference} and inside 0…${n - 1}`)
  }
  const regions = regionIndices(o.regions, width, height)
  const refIdx = regions.findIndex((r) => r.reference)

  let valuesAt: (t: number) => number[]
  if (o.signal === 'difference' || o.signal === 'translation') {
    const blurred = frames.map((f) => gaussianBlur(f, o.spatialSigma))
    const ref = blurred[reference]!
    const g = sobelGradients(ref)
    valuesAt =
      o.signal === 'difference'
        ? (t) => differenceValues(ref, g.gx, g.gy, blurred[t]!, regions, refIdx)
        : (t) => translationValues(ref, g.gx, g.gy, blurred[t]!, regions, refIdx)
  } else {
    const flowFn = o.flow
    if (!flowFn) throw new RangeError(`spotting signal '${o.signal}' needs a flow function`)
    if (o.signal === 'flow') {
      valuesAt = (t) => (t === reference ? regions.map(() => 0) : flowValues(flowFn(frames[reference]!, frames[t]!), regions))
    } else {
      const strainFn = o.strain
      if (!strainFn) throw new RangeError("spotting signal 'strain' needs a strain function")
      valuesAt = (t) => (t === reference ? regions.map(() => 0) : meanValues(strainFn(flowFn(frames[reference]!, frames[t]!)), regions))
    }
  }

  const perRegion: Record<string, number[]> = {}
  for (const r of regions) if (!r.reference) perRegion[r.id] = []
  const raw: number[] = []
  for (let t = 0; t < n; t++) {
    const v = valuesAt(t)
    // Flow already removed the reference vectorially; difference and strain subtract its value.
    const base = refIdx >= 0 && (o.signal === 'difference' || o.signal === 'strain') ? v[refIdx]! : 0
    let best = 0
    regions.forEach((r, i) => {
      if (r.reference) return
      const x = Math.max(0, v[i]! - base)
      perRegion[r.id]!.push(x)
      best = Math.max(best, x)
    })
    raw.push(best)
  }
  const curve = smoothCurve(raw, o.temporalSigma)
  const noise = noiseSigma(raw)
  const floor = o.motionFloor ?? (o.signal === 'strain' ? 0.005 : 0.1)
  const peaks = findPeaks(curve, noise, floor)
  // Peaks before a coded onset or after a coded offset cannot be the apex.
  const candidates = peaks.filter(
    (p) => (p.frame > reference || (o.onset === undefined && p.frame >= reference)) && (o.offset === undefined || p.frame <= o.offset),
  )
  const last = o.offset ?? n - 1
  const fallback = argmax(curve, reference, last)
  const top = candidates[0] ?? { frame: fallback, value: curve[fallback]!, prominence: 0, confidence: 0 }
  const apex = top.frame

  const before = curve.slice(0, apex + 1)
  const after = curve.slice(apex)
  const baseBefore = Math.min(...before)
  const baseAfter = Math.min(...after)
  let onset = reference
  if (o.onset === undefined) {
    const thr = baseBefore + o.boundaryFraction * (top.value - baseBefore)
    onset = 0
    for (let t = apex; t >= 0; t--) {
      if (curve[t]! <= thr) {
        onset = t
        break
      }
    }
  }
  let offset = o.offset ?? n - 1
  if (o.offset === undefined) {
    const thr = baseAfter + o.boundaryFraction * (top.value - baseAfter)
    for (let t = apex; t < n; t++) {
      if (curve[t]! <= thr) {
        offset = t
        break
      }
    }
  }
  return {
    reference,
    onset,
    apex,
    offset,
    confidence: top.confidence,
    onsetSuggested: o.onset === undefined,
    offsetSuggested: o.offset === undefined,
    curve,
    raw,
    regions: perRegion,
    peaks: candidates.slice(0, o.topPeaks),
    signal: o.signal,
  }
}

/** Index of the largest value in [from, to]. */
function argmax(values: readonly number[], from: number, to: number): number {
  let best = from
  for (let i = from + 1; i <= to; i++) if (values[i]! > values[best]!) best = i
  return best
}
