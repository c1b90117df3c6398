/**
 * Interval spotting in long videos: every micro- and macro-expression as (onset, apex, offset),
 * with blinks and head motion told apart.
 *
 * The MEGC long-video baselines compare each frame with frames k earlier and later, k about half
 * the expected expression length (Li et al. 2018, "Towards reading hidden emotions", LBP-χ²
 * feature difference; Zhang et al. 2020 / He 2020 main-directional mean optical flow, MDMO).
 * Here, on the face crop aligned once on a reference frame:
 * 1. for each frame t and scale k, every facial region's Lucas–Kanade translation d_R between
 *    frame t−k and frame t (one least-squares step on the blurred crops);
 * 2. head motion removed: a similarity motion (translation, roll, scale) fitted robustly to all
 *    regions' translations (two trimmed least-squares rounds: an expression moves few regions,
 *    the head moves all) and subtracted — e_R(t) = |d_R − m(c_R)|; the nose bridge's own
 *    translation is kept as the head-motion signal;
 * 3. the two-sided signal s_R(t) = min(e_R(t), e_R(t+k)): high only when frame t differs from
 *    both references — an expression that comes and goes within 2k — and not at a change that
 *    stays (a new head pose, a lasting expression change), which differs from one side only;
 *    the frame curve is the largest region's value, smoothed;
 * 4. peaks above a noise-relative threshold grow into intervals while the curve stays above a
 *    fraction of the peak; an interval whose motion sits in both eyes and is short is a blink,
 *    one while the nose bridge moves far is head motion; the rest are expressions, micro when
 *    they last ≤ 500 ms (inclusive frames), else macro.
 * Two scales run together: k = the longest micro-expression (0.5 s) and k = the longest
 * macro-expression the detector aims at (2 s), so both references of every frame of an
 * expression are neutral and the bump follows the expression from onset to offset; each scale
 * also looks twice as far (1 s, 3 s) and the sides vote, so that one reference falling on a
 * neighbouring movement does not make a still frame between two movements look like one.
 */
import type { SpotKind } from '../../shared/metrics/spotting'
import type { FaceRegion } from './face/regions'
import { polygonMask } from './face/regions'
import { invertSimilarity, warpSimilarity, type SimilarityTransform } from './face/align'
import { gaussianBlur, type GrayImage } from './image'
import { smoothCurve } from './spotting'

export type IntervalKind = SpotKind
export type IntervalLabel = 'expression' | 'blink' | 'head-motion'

export interface IntervalSpotOptions {
  /** Frame rate: every duration below is in seconds. */
  fps: number
  /** Longest micro-expression, s (Yan et al. 2013; MEGC's micro/macro split). Default 0.5. */
  microMaxSeconds?: number
  /**
   * Reference distances k of the micro scale, s. Default [0.5, 1]: the longest micro-expression,
   * and twice that, so that one reference falling on a neighbouring movement is outvoted.
   */
  microReferenceSeconds?: readonly number[]
  /** Reference distances k of the macro scale, s. Default [2, 3] (macro-expressions of CAS(ME)² last 0.5–4 s, most under 2). */
  macroReferenceSeconds?: readonly number[]
  /** Temporal Gaussian σ of the curve, s (at least half a frame). Default 0.01. */
  temporalSigmaSeconds?: number
  /** A peak must rise this many robust noise σ (1.4826·MAD) above the curve's median. Default 8. */
  thresholdSigmas?: number
  /** …and above this residual motion, crop pixels (128-px crop, inter-ocular 51 px). Default 0.12. */
  motionFloor?: number
  /** An interval spans the frames where the curve stays above this fraction of its peak. Default 0.12. */
  boundaryFraction?: number
  /** Nose-bridge translation (crop px) that makes an interval head motion. Default 1.2. */
  headMotion?: number
  /** Longest blink, s (spontaneous blinks last 100–400 ms: Caffier et al. 2003). Default 0.4. */
  blinkMaxSeconds?: number
  /** A micro-scale peak is kept when the macro scale sees at least this fraction of it at the apex. Default 0.5. */
  confirmFraction?: number
}

export const INTERVAL_SPOT_DEFAULTS = {
  microMaxSeconds: 0.5,
  microReferenceSeconds: [0.5, 1] as readonly number[],
  macroReferenceSeconds: [2, 3] as readonly number[],
  temporalSigmaSeconds: 0.01,
  thresholdSigmas: 8,
  motionFloor: 0.12,
  boundaryFraction: 0.12,
  headMotion: 1.2,
  blinkMaxSeconds: 0.4,
  confirmFraction: 0.5,
}

/** The rigid reference takes part in the head-motion fit only. */
const FIT_ONLY = new Set(['nose-reference'])
/** Left out: they overlap the others and would cost most of the time (the whole face is 40 % of the crop). */
const UNUSED = new Set(['face', 'jaw'])
const EYES = new Set(['left-eye', 'right-eye'])

export interface LayoutRegion {
  id: string
  pixels: Int32Array
  /** Centroid, crop pixels relative to the crop centre. */
  cx: number
  cy: number
  /** Whether the region feeds the expression curve (else only the head-motion fit). */
  expression: boolean
}

/** The regions of one aligned crop, rasterised once per video. */
export interface RegionLayout {
  side: number
  regions: LayoutRegion[]
  /** Index of the nose-bridge reference region, whose translation is the head-motion signal (-1: none). */
  reference: number
}

export function regionLayout(regions: readonly FaceRegion[], side: number): RegionLayout {
  const c = (side - 1) / 2
  const out: LayoutRegion[] = []
  for (const r of regions) {
    if (UNUSED.has(r.id)) continue
    const mask = polygonMask(r.polygon, side, side)
    const idx: number[] = []
    let sx = 0
    let sy = 0
    // Skip the outermost pixels: central differences need both neighbours.
    for (let y = 1; y < side - 1; y++) {
      for (let x = 1; x < side - 1; x++) {
        if (!mask[y * side + x]) continue
        idx.push(y * side + x)
        sx += x
        sy += y
      }
    }
    if (idx.length < 8) continue
    out.push({ id: r.id, pixels: Int32Array.from(idx), cx: sx / idx.length - c, cy: sy / idx.length - c, expression: !FIT_ONLY.has(r.id) })
  }
  if (out.filter((r) => r.expression).length < 3) throw new RangeError('interval spotting: fewer than three facial regions inside the crop')
  return { side, regions: out, reference: out.findIndex((r) => r.id === 'nose-reference') }
}

/**
 * Motion of frame `cur` against `ref` (same-size blurred crops): per region the residual
 * translation after the fitted head motion (px), then the head motion — `regions.length + 1` values.
 */
export function pairMotion(cur: GrayImage, ref: GrayImage, layout: RegionLayout): Float32Array {
  const { side, regions } = layout
  const a = ref.data
  const b = cur.data
  const n = regions.length
  const dx = new Float64Array(n)
  const dy = new Float64Array(n)
  const weight = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sxx = 0
    let sxy = 0
    let syy = 0
    let sxt = 0
    let syt = 0
    const pixels = regions[i]!.pixels
    for (let k = 0; k < pixels.length; k++) {
      const p = pixels[k]!
      // Gradient of the mean of both frames: first-order symmetric, unbiased for either direction.
      const gx = 0.25 * (a[p + 1]! - a[p - 1]! + b[p + 1]! - b[p - 1]!)
      const gy = 0.25 * (a[p + side]! - a[p - side]! + b[p + side]! - b[p - side]!)
      const gt = b[p]! - a[p]!
      sxx += gx * gx
      sxy += gx * gy
      syy += gy * gy
      sxt += gx * gt
      syt += gy * gt
    }
    // Lucas–Kanade: [Σgx² Σgxgy; Σgxgy Σgy²]·d = −[Σgx·gt; Σgy·gt].
    const det = sxx * syy - sxy * sxy
    if (det > 1e-9 * (sxx + syy) * (sxx + syy) && det > 0) {
      dx[i] = -(syy * sxt - sxy * syt) / det
      dy[i] = -(sxx * syt - sxy * sxt) / det
      weight[i] = 1
    }
  }
  const model = fitSimilarity(regions, dx, dy, weight)
  const out = new Float32Array(n + 1)
  for (let i = 0; i < n; i++) {
    const r = regions[i]!
    const [mx, my] = applyMotion(model, r.cx, r.cy)
    out[i] = weight[i] ? Math.hypot(dx[i]! - mx, dy[i]! - my) : 0
  }
  // Head motion: the nose bridge's own translation (it moves with the head, hardly with any
  // expression), as in the MEGC baselines' nose-region reference.
  const nose = layout.reference
  out[n] = nose >= 0 ? Math.hypot(dx[nose]!, dy[nose]!) : Math.hypot(model[2], model[3])
  return out
}

type Motion = [a: number, b: number, tx: number, ty: number]

/** m(p) = [a −b; b a]·p + t: the displacement of a similarity motion close to identity. */
function applyMotion([a, b, tx, ty]: Motion, x: number, y: number): [number, number] {
  return [a * x - b * y + tx, b * x + a * y + ty]
}

/** Least squares on the regions' translations, then again without those far from the first fit. */
function fitSimilarity(regions: readonly LayoutRegion[], dx: Float64Array, dy: Float64Array, weight: Float64Array): Motion {
  let model = solveSimilarity(regions, dx, dy, weight)
  for (let round = 0; round < 2; round++) {
    const residuals: number[] = []
    for (let i = 0; i < regions.length; i++) {
      if (!weight[i]) continue
      const [mx, my] = applyMotion(model, regions[i]!.cx, regions[i]!.cy)
      residuals.push(Math.hypot(dx[i]! - mx, dy[i]! - my))
    }
    const sorted = [...residuals].sort((p, q) => p - q)
    const cut = Math.max(2 * (sorted[Math.floor(sorted.length / 2)] ?? 0), 0.05)
    const kept = new Float64Array(weight)
    let k = 0
    for (let i = 0; i < regions.length; i++) if (weight[i]) kept[i] = residuals[k++]! <= cut ? 1 : 0
    if (kept.reduce((s, w) => s + w, 0) < 4) break
    model = solveSimilarity(regions, dx, dy, kept)
  }
  return model
}

function solveSimilarity(regions: readonly LayoutRegion[], dx: Float64Array, dy: Float64Array, weight: Float64Array): Motion {
  // Unknowns (a, b, tx, ty); rows dx = a·x − b·y + tx, dy = b·x + a·y + ty.
  const m = new Float64Array(16)
  const v = new Float64Array(4)
  const add = (row: [number, number, number, number], value: number, w: number) => {
    for (let r = 0; r < 4; r++) {
      v[r]! += w * row[r]! * value
      for (let c = 0; c < 4; c++) m[r * 4 + c]! += w * row[r]! * row[c]!
    }
  }
  let count = 0
  for (let i = 0; i < regions.length; i++) {
    const w = weight[i]!
    if (!w) continue
    const { cx: x, cy: y } = regions[i]!
    add([x, -y, 1, 0], dx[i]!, w)
    add([y, x, 0, 1], dy[i]!, w)
    count++
  }
  if (count < 2) return [0, 0, 0, 0]
  // A small ridge keeps the rotation/scale terms defined when the regions are few.
  m[0]! += 1e-3
  m[5]! += 1e-3
  return solve4(m, v) ?? [0, 0, 0, 0]
}

/** Gaussian elimination with partial pivoting on a 4×4 system. */
function solve4(m: Float64Array, v: Float64Array): Motion | null {
  const a = Array.from({ length: 4 }, (_, r) => [m[r * 4]!, m[r * 4 + 1]!, m[r * 4 + 2]!, m[r * 4 + 3]!, v[r]!])
  for (let col = 0; col < 4; col++) {
    let pivot = col
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r
    if (Math.abs(a[pivot]![col]!) < 1e-12) return null
    ;[a[col], a[pivot]] = [a[pivot]!, a[col]!]
    for (let r = 0; r < 4; r++) {
      if (r === col) continue
      const f = a[r]![col]! / a[col]![col]!
      for (let c = col; c < 5; c++) a[r]![c]! -= f * a[col]![c]!
    }
  }
  return [a[0]![4]! / a[0]![0]!, a[1]![4]! / a[1]![1]!, a[2]![4]! / a[2]![2]!, a[3]![4]! / a[3]![3]!]
}

/** Reference distances (frames) of the two scales at a frame rate. */
export function referenceDistances(options: IntervalSpotOptions): { micro: number[]; macro: number[] } {
  const o = { ...INTERVAL_SPOT_DEFAULTS, ...options }
  const frames = (seconds: readonly number[]) => [...new Set(seconds.map((s) => Math.max(2, Math.round(s * o.fps))))]
  const micro = frames(o.microReferenceSeconds)
  const macro = frames(o.macroReferenceSeconds)
  if (micro.length === 0 || macro.length === 0) throw new RangeError('interval spotting: each scale needs at least one reference distance')
  return { micro, macro }
}

/**
 * The per-frame motion of one scale, `pairMotion` rows (regions, then head motion). Near the ends
 * the reference is clamped to the first or last frame, so every frame has both sides.
 */
export interface ScaleMotion {
  k: number
  /** frames × (regions + 1), row-major: row t = frame t against frame max(0, t − k); row 0 unused. */
  values: Float32Array
  /** k × (regions + 1): row i ≥ 1 = the last frame against frame N − 1 − k + i (the forward side of the last frames); row 0 unused. */
  tail: Float32Array
}

/** Frame t's backward reference on a scale of distance k. */
export function scaleReference(t: number, k: number): number {
  return Math.max(0, t - k)
}

export interface SpottedInterval {
  /** 0-based frame indices. */
  onset: number
  apex: number
  offset: number
  kind: IntervalKind
  label: IntervalLabel
  /** 0–1: how far the peak stands above the noise and the motion floor. */
  confidence: number
  /** Peak residual motion, crop px. */
  peak: number
  /** Regions moving most at the apex, strongest first. */
  regions: string[]
  /** The scale that found it. */
  scale: IntervalKind
}

export interface IntervalSpotResult {
  /** Expressions first by onset; blinks and head motion are kept with their label, for review. */
  intervals: SpottedInterval[]
  /** The micro scale's curve (crop px), one value per frame: what the timeline draws. */
  curve: Float32Array
  /** Peak threshold of the micro scale's curve. */
  threshold: number
}

/**
 * Turns the two scales' motion (one `ScaleMotion` per reference distance of `referenceDistances`)
 * into labelled intervals.
 */
export function spotIntervals(
  scales: { micro: readonly ScaleMotion[]; macro: readonly ScaleMotion[] },
  layout: RegionLayout,
  frameCount: number,
  options: IntervalSpotOptions,
): IntervalSpotResult {
  const o = { ...INTERVAL_SPOT_DEFAULTS, ...options }
  // Head motion is judged on the short references, which a slow drift hardly reaches.
  const head = groupSignal(scales.micro, layout, frameCount).head
  const micro = scaleCandidates('micro', scales.micro, head, layout, frameCount, o)
  const macro = scaleCandidates('macro', scales.macro, head, layout, frameCount, o)
  // A long expression is best bounded by the long scale, a short one by the short scale.
  const kept: SpottedInterval[] = []
  const overlaps = (c: SpottedInterval) => kept.some((k) => c.onset <= k.offset && k.onset <= c.offset)
  const take = (list: SpottedInterval[] | undefined, accept: (c: SpottedInterval) => boolean) => {
    for (const c of [...(list ?? [])].sort((p, q) => q.confidence - p.confidence)) if (accept(c) && !overlaps(c)) kept.push(c)
  }
  // (The long scale's short candidates are left out: with references 2 s away, neighbouring
  // expressions make a frame differ from both sides.)
  take(macro.candidates, (c) => c.kind === 'macro')
  // A short movement is seen against the far references too; a still frame on the shoulder of a
  // macro-expression, whose near references all fall inside it, is not.
  take(micro.candidates, (c) => macro.curve[c.apex]! - macro.median >= o.confirmFraction * c.peak)
  const rank = (c: SpottedInterval) => (c.label === 'expression' ? 0 : 1)
  kept.sort((p, q) => rank(p) - rank(q) || p.onset - q.onset)
  return { intervals: kept, curve: micro.curve, threshold: micro.threshold }
}

/**
 * Per frame and region, the motion against the group's references on both sides, voted: with
 * one distance the smaller of the two sides (the frame differs from both); with several, the
 * second smallest of all sides, so that one reference landing on a neighbouring movement cannot
 * make a still frame look like an expression. Head motion is voted the same way.
 */
function groupSignal(group: readonly ScaleMotion[], layout: RegionLayout, frameCount: number): { value: (t: number, j: number) => number; head: Float32Array } {
  const n = layout.regions.length
  const stride = n + 1
  const rank = group.length > 1 ? 1 : 0
  const sides = new Float64Array(2 * group.length)
  const value = (t: number, j: number) => {
    // The first and last frames have one side only: no evidence of coming and going.
    if (t === 0 || t === frameCount - 1) return 0
    group.forEach(({ k, values, tail }, g) => {
      sides[2 * g] = values[t * stride + j]!
      sides[2 * g + 1] = t + k < frameCount ? values[(t + k) * stride + j]! : tail[(t - (frameCount - 1 - k)) * stride + j]!
    })
    sides.sort()
    return sides[rank]!
  }
  return { value, head: Float32Array.from({ length: frameCount }, (_, t) => value(t, n)) }
}

interface ScaleCandidates {
  candidates: SpottedInterval[]
  curve: Float32Array
  median: number
  threshold: number
}

function scaleCandidates(
  scale: IntervalKind,
  group: readonly ScaleMotion[],
  head: Float32Array,
  layout: RegionLayout,
  frameCount: number,
  o: typeof INTERVAL_SPOT_DEFAULTS & IntervalSpotOptions,
): ScaleCandidates {
  // Frame t against t−k (row t) and t+k (row t+k, the same pair seen from t+k), references
  // clamped to the first and last frames.
  const twoSided = groupSignal(group, layout, frameCount).value
  const expressionRegions = layout.regions.map((r, j) => (r.expression ? j : -1)).filter((j) => j >= 0)
  const raw = new Array<number>(frameCount)
  for (let t = 0; t < frameCount; t++) {
    let max = 0
    for (const j of expressionRegions) max = Math.max(max, twoSided(t, j))
    raw[t] = max
  }
  const curve = Float32Array.from(smoothCurve(raw, Math.max(0.5, o.temporalSigmaSeconds * o.fps)))
  const sorted = Float32Array.from(curve).sort()
  const median = sorted[Math.floor(frameCount / 2)] ?? 0
  const deviations = Float32Array.from(curve, (v) => Math.abs(v - median)).sort()
  const sigma = 1.4826 * (deviations[Math.floor(frameCount / 2)] ?? 0)
  const threshold = Math.max(median + o.thresholdSigmas * sigma, median + o.motionFloor)

  const taken = new Uint8Array(frameCount)
  const order = Array.from({ length: frameCount }, (_, t) => t).sort((p, q) => curve[q]! - curve[p]!)
  const candidates: SpottedInterval[] = []
  for (const apex of order) {
    const peak = curve[apex]!
    if (peak < threshold) break
    if (taken[apex]) continue
    const low = Math.max(median + o.boundaryFraction * (peak - median), median + 2 * sigma)
    // Grow while above `low`; running into a taken interval makes this peak its shoulder.
    let shoulder = false
    let onset = apex
    while (onset > 0 && curve[onset - 1]! > low && !(shoulder = taken[onset - 1] === 1)) onset--
    let offset = apex
    while (offset < frameCount - 1 && curve[offset + 1]! > low && !(shoulder ||= taken[offset + 1] === 1)) offset++
    taken.fill(1, onset, offset + 1)
    if (shoulder) continue
    const ranked = expressionRegions.map((j) => ({ id: layout.regions[j]!.id, value: twoSided(apex, j) })).sort((p, q) => q.value - p.value)
    const seconds = (offset - onset + 1) / o.fps
    let headPeak = 0
    for (let t = onset; t <= offset; t++) headPeak = Math.max(headPeak, head[t]!)
    const label: IntervalLabel =
      headPeak > o.headMotion ? 'head-motion' : seconds <= o.blinkMaxSeconds && EYES.has(ranked[0]!.id) && EYES.has(ranked[1]!.id) ? 'blink' : 'expression'
    const prominence = peak - median
    candidates.push({
      onset,
      apex,
      offset,
      kind: seconds <= o.microMaxSeconds + 1e-9 ? 'micro' : 'macro',
      label,
      confidence: prominence / (prominence + 3 * sigma + o.motionFloor),
      peak: prominence,
      regions: ranked.filter((r) => r.value >= 0.5 * ranked[0]!.value).map((r) => r.id),
      scale,
    })
  }
  return { candidates, curve, median, threshold }
}

/** A decoded 8-bit grey frame. */
export interface GrayFrame8 {
  width: number
  height: number
  data: Uint8Array
}

/**
 * The aligned face crop of one frame, blurred by `sigma`: only the source box the crop covers is
 * converted and pre-filtered, so the cost follows the face, not the frame.
 */
export function faceCrop(frame: GrayFrame8, t: SimilarityTransform, side: number, sigma: number): GrayImage {
  const inv = invertSimilarity(t)
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (const [cx, cy] of [[0, 0], [side, 0], [0, side], [side, side]] as const) {
    const x = inv.a * cx - inv.b * cy + inv.tx
    const y = inv.b * cx + inv.a * cy + inv.ty
    x0 = Math.min(x0, x)
    y0 = Math.min(y0, y)
    x1 = Math.max(x1, x)
    y1 = Math.max(y1, y)
  }
  const margin = 4 + Math.ceil(3 / Math.hypot(t.a, t.b))
  const bx0 = Math.max(0, Math.floor(x0) - margin)
  const by0 = Math.max(0, Math.floor(y0) - margin)
  const bx1 = Math.min(frame.width, Math.ceil(x1) + margin)
  const by1 = Math.min(frame.height, Math.ceil(y1) + margin)
  const w = Math.max(1, bx1 - bx0)
  const h = Math.max(1, by1 - by0)
  const box = new Float32Array(w * h)
  for (let y = 0; y < h; y++) {
    const row = Math.min(frame.height - 1, by0 + y) * frame.width
    for (let x = 0; x < w; x++) box[y * w + x] = frame.data[row + Math.min(frame.width - 1, bx0 + x)]!
  }
  // Crop = T(p) with p = q + box origin: the translation absorbs the origin.
  const shifted: SimilarityTransform = { a: t.a, b: t.b, tx: t.tx + t.a * bx0 - t.b * by0, ty: t.ty + t.b * bx0 + t.a * by0 }
  const crop = warpSimilarity({ width: w, height: h, data: box }, shifted, side)
  return sigma > 0 ? gaussianBlur(crop, sigma) : crop
}
