import { auKey, type AuCode, type AuMatchOptions } from '../domain/au'

/**
 * Inter-coder agreement for micro-expression coding: chance-corrected agreement on labels
 * (Cohen's κ for two coders, Fleiss' κ for more), the FACS agreement ratio on AU sets
 * (Ekman, Friesen & Hager 2002), and the temporal agreement of onset/apex/offset marks.
 */

export interface KappaResult {
  kappa: number | null
  /** Observed agreement. */
  po: number
  /** Agreement expected by chance. */
  pe: number
  /** Items rated (pairs with both labels present). */
  n: number
}

/**
 * Cohen's κ = (po − pe) / (1 − pe), pe = Σ_k p_A(k)·p_B(k). Items where either label is null are
 * skipped. κ is null when undefined: no items, or pe = 1 (both coders used one and the same label).
 */
export function cohenKappa(a: readonly (string | null)[], b: readonly (string | null)[]): KappaResult {
  if (a.length !== b.length) throw new Error(`cohenKappa: ${a.length} vs ${b.length} labels`)
  const countA = new Map<string, number>()
  const countB = new Map<string, number>()
  let n = 0
  let agreed = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === null || x === undefined || y === null || y === undefined) continue
    n++
    if (x === y) agreed++
    countA.set(x, (countA.get(x) ?? 0) + 1)
    countB.set(y, (countB.get(y) ?? 0) + 1)
  }
  if (n === 0) return { kappa: null, po: 0, pe: 0, n }
  const po = agreed / n
  let pe = 0
  for (const [label, ca] of countA) pe += (ca / n) * ((countB.get(label) ?? 0) / n)
  return { kappa: pe === 1 ? null : (po - pe) / (1 - pe), po, pe, n }
}

/**
 * Fleiss' κ for m ≥ 2 raters: `ratings[i]` holds the labels item i received. Only items with
 * the full m labels (no null) count. P_i = (Σ_k n_ik² − m) / (m(m − 1)), P̄ = mean P_i,
 * p_k = Σ_i n_ik / (N·m), P̄e = Σ p_k², κ = (P̄ − P̄e) / (1 − P̄e).
 */
export function fleissKappa(ratings: readonly (readonly (string | null)[])[]): KappaResult {
  const m = Math.max(0, ...ratings.map((r) => r.length))
  const complete = ratings.filter((r) => r.length === m && r.every((x) => x !== null && x !== undefined)) as string[][]
  const n = complete.length
  if (n === 0 || m < 2) return { kappa: null, po: 0, pe: 0, n }
  const totals = new Map<string, number>()
  let sumP = 0
  for (const item of complete) {
    const counts = new Map<string, number>()
    for (const label of item) counts.set(label, (counts.get(label) ?? 0) + 1)
    let squares = 0
    for (const [label, c] of counts) {
      squares += c * c
      totals.set(label, (totals.get(label) ?? 0) + c)
    }
    sumP += (squares - m) / (m * (m - 1))
  }
  const po = sumP / n
  let pe = 0
  for (const c of totals.values()) pe += (c / (n * m)) ** 2
  return { kappa: pe === 1 ? null : (po - pe) / (1 - pe), po, pe, n }
}

// ---------------------------------------------------------------------------------------------
// FACS agreement ratio

export interface AuAgreement {
  /** AUs both coders scored (as matched under the options). */
  agreed: number
  /** |A| + |B|: AUs scored by the two coders together. */
  total: number
  /** 2·agreed / total; null when neither coder scored an AU. */
  ratio: number | null
}

function keySet(codes: readonly AuCode[], options: AuMatchOptions): Set<string> {
  return new Set(codes.map((c) => auKey(c, options)))
}

/** FACS agreement ratio for one event: 2 × AUs agreed / total AUs scored by both coders. */
export function facsAgreement(a: readonly AuCode[], b: readonly AuCode[], options: AuMatchOptions): AuAgreement {
  const ka = keySet(a, options)
  const kb = keySet(b, options)
  let agreed = 0
  for (const k of ka) if (kb.has(k)) agreed++
  const total = ka.size + kb.size
  return { agreed, total, ratio: total === 0 ? null : (2 * agreed) / total }
}

export interface FacsAgreementSummary {
  /** Σ 2·agreed / Σ total over the events (events weighted by their AU count). */
  pooled: number | null
  /** Mean of the per-event ratios, events where neither coder scored an AU left out (the FACS manual's figure). */
  meanOfEvents: number | null
  events: number
}

export function summariseFacsAgreement(pairs: readonly [readonly AuCode[], readonly AuCode[]][], options: AuMatchOptions): FacsAgreementSummary {
  let agreed = 0
  let total = 0
  const ratios: number[] = []
  for (const [a, b] of pairs) {
    const r = facsAgreement(a, b, options)
    agreed += r.agreed
    total += r.total
    if (r.ratio !== null) ratios.push(r.ratio)
  }
  return {
    pooled: total === 0 ? null : (2 * agreed) / total,
    meanOfEvents: ratios.length === 0 ? null : ratios.reduce((s, x) => s + x, 0) / ratios.length,
    events: pairs.length,
  }
}

export interface PerAuAgreement {
  /** The AU as matched (`12`, or `R12` with laterality, `R12B` with intensity too). */
  key: string
  au: number
  both: number
  onlyA: number
  onlyB: number
  /** 2·both / (2·both + onlyA + onlyB): the agreement ratio restricted to this AU. */
  ratio: number
  /** Cohen's κ on presence/absence of this AU over all events; null when undefined. */
  kappa: number | null
}

/** Per-AU agreement over events: how often each AU was scored by both coders, by one only. */
export function perAuAgreement(pairs: readonly [readonly AuCode[], readonly AuCode[]][], options: AuMatchOptions): PerAuAgreement[] {
  const stats = new Map<string, { au: number; both: number; onlyA: number; onlyB: number; presenceA: boolean[]; presenceB: boolean[] }>()
  const entry = (code: AuCode) => {
    const key = auKey(code, options)
    let s = stats.get(key)
    if (!s) {
      s = { au: code.au, both: 0, onlyA: 0, onlyB: 0, presenceA: [], presenceB: [] }
      stats.set(key, s)
    }
    return key
  }
  for (const [a, b] of pairs) {
    a.forEach(entry)
    b.forEach(entry)
  }
  for (const [a, b] of pairs) {
    const ka = keySet(a, options)
    const kb = keySet(b, options)
    for (const [key, s] of stats) {
      const inA = ka.has(key)
      const inB = kb.has(key)
      if (inA && inB) s.both++
      else if (inA) s.onlyA++
      else if (inB) s.onlyB++
      s.presenceA.push(inA)
      s.presenceB.push(inB)
    }
  }
  const yesNo = (xs: boolean[]) => xs.map((x) => (x ? 'yes' : 'no'))
  return [...stats]
    .map(([key, s]) => ({
      key,
      au: s.au,
      both: s.both,
      onlyA: s.onlyA,
      onlyB: s.onlyB,
      ratio: (2 * s.both) / (2 * s.both + s.onlyA + s.onlyB),
      kappa: cohenKappa(yesNo(s.presenceA), yesNo(s.presenceB)).kappa,
    }))
    .sort((x, y) => x.au - y.au || x.key.localeCompare(y.key))
}

// ---------------------------------------------------------------------------------------------
// Temporal agreement

export interface Interval {
  /** Inclusive first and last frame. */
  start: number
  end: number
}

/** IoU on inclusive frame counts: |A ∩ B| / |A ∪ B| with |[s, e]| = e − s + 1 (the MEGC spotting convention). */
export function intervalIoU(a: Interval, b: Interval): number {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start) + 1)
  const union = a.end - a.start + 1 + (b.end - b.start + 1) - inter
  return union <= 0 ? 0 : inter / union
}

export interface MarkDifference {
  /** b − a in frames (signed), null when either mark is missing. */
  frames: number | null
  ms: number | null
}

export function markDifference(a: number | null, b: number | null, fps: number): MarkDifference {
  if (a === null || b === null) return { frames: null, ms: null }
  return { frames: b - a, ms: ((b - a) * 1000) / fps }
}

export interface MarkDifferenceSummary {
  /** Pairs where both coders set the mark. */
  n: number
  meanAbsFrames: number | null
  meanAbsMs: number | null
  /** Mean of b − a (a systematic lead or lag of one coder). */
  meanSignedFrames: number | null
  maxAbsFrames: number | null
}

export function summariseMarkDifferences(diffs: readonly MarkDifference[]): MarkDifferenceSummary {
  const present = diffs.filter((d): d is { frames: number; ms: number } => d.frames !== null && d.ms !== null)
  const n = present.length
  if (n === 0) return { n, meanAbsFrames: null, meanAbsMs: null, meanSignedFrames: null, maxAbsFrames: null }
  const sum = (f: (d: { frames: number; ms: number }) => number) => present.reduce((s, d) => s + f(d), 0)
  return {
    n,
    meanAbsFrames: sum((d) => Math.abs(d.frames)) / n,
    meanAbsMs: sum((d) => Math.abs(d.ms)) / n,
    meanSignedFrames: sum((d) => d.frames) / n,
    maxAbsFrames: Math.max(...present.map((d) => Math.abs(d.frames))),
  }
}
