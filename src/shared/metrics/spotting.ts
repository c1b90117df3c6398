/**
 * Expression spotting in long videos, evaluated as the MEGC spotting challenge does (MEGC 2020–
 * 2024, Yap et al.; See et al. 2019):
 *
 * - a predicted interval is a true positive when IoU ≥ 0.5 with a ground-truth interval of the
 *   same kind, IoU = |P ∩ G| / |P ∪ G| counted in frames, both ends inclusive;
 * - every ground truth is matched at most once and every prediction at most once (greedy,
 *   highest IoU first): a prediction covering two truths matches at most one of them;
 * - unmatched predictions are false positives, unmatched truths false negatives;
 * - micro and macro are evaluated separately (a prediction's kind is the one it claims); the
 *   overall counts are their sums;
 * - a dataset's (and the pooled) figures SUM TP, FP and FN over its videos, then compute
 *   precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN) once — not a mean of
 *   per-video F1s, which videos without expressions would make undefined.
 */

import { MAX_MICRO_EXPRESSION_MS } from '../domain/dataset'

export type SpotKind = 'micro' | 'macro'
export const SPOT_KINDS: readonly SpotKind[] = ['micro', 'macro']

/** Kind by inclusive duration at `fps`: micro when it lasts at most 500 ms (MEGC, CAS(ME)²). */
export function spotKindOf(onset: number, offset: number, fps: number): SpotKind {
  return ((offset - onset + 1) / fps) * 1000 <= MAX_MICRO_EXPRESSION_MS ? 'micro' : 'macro'
}

export interface KindInterval {
  onset: number
  offset: number
  kind: SpotKind
}

/** Inclusive frame-count IoU of two intervals. */
export function intervalIou(a: { onset: number; offset: number }, b: { onset: number; offset: number }): number {
  const inter = Math.min(a.offset, b.offset) - Math.max(a.onset, b.onset) + 1
  if (inter <= 0) return 0
  const union = a.offset - a.onset + 1 + (b.offset - b.onset + 1) - inter
  return inter / union
}

export interface SpotCounts {
  tp: number
  fp: number
  fn: number
}

export interface SpotScores extends SpotCounts {
  /** null where undefined (no predictions / no truths / neither). */
  precision: number | null
  recall: number | null
  f1: number | null
}

export interface SpotMatch {
  /** Indices into the truth and prediction lists given. */
  truth: number
  prediction: number
  iou: number
}

/** Greedy one-to-one matching of same-kind intervals at IoU ≥ `threshold`, highest IoU first. */
export function matchIntervals(truth: readonly KindInterval[], predictions: readonly KindInterval[], threshold = 0.5): SpotMatch[] {
  const pairs: SpotMatch[] = []
  truth.forEach((t, ti) =>
    predictions.forEach((p, pi) => {
      if (p.kind !== t.kind) return
      const iou = intervalIou(t, p)
      if (iou >= threshold) pairs.push({ truth: ti, prediction: pi, iou })
    }),
  )
  pairs.sort((a, b) => b.iou - a.iou || a.truth - b.truth || a.prediction - b.prediction)
  const usedTruth = new Set<number>()
  const usedPrediction = new Set<number>()
  const matches: SpotMatch[] = []
  for (const pair of pairs) {
    if (usedTruth.has(pair.truth) || usedPrediction.has(pair.prediction)) continue
    usedTruth.add(pair.truth)
    usedPrediction.add(pair.prediction)
    matches.push(pair)
  }
  return matches
}

export function spotScores(counts: SpotCounts): SpotScores {
  const { tp, fp, fn } = counts
  return {
    tp,
    fp,
    fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
    recall: tp + fn > 0 ? tp / (tp + fn) : null,
    f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : null,
  }
}

export interface SpotReport {
  micro: SpotScores
  macro: SpotScores
  overall: SpotScores
}

/** One video: counts per kind and overall. */
export function evaluateSpotting(truth: readonly KindInterval[], predictions: readonly KindInterval[], threshold = 0.5): SpotReport {
  return reportOf(countSpotting(truth, predictions, threshold))
}

export function countSpotting(truth: readonly KindInterval[], predictions: readonly KindInterval[], threshold = 0.5): Record<SpotKind, SpotCounts> {
  const matched = matchIntervals(truth, predictions, threshold)
  const counts = {} as Record<SpotKind, SpotCounts>
  for (const kind of SPOT_KINDS) {
    const tp = matched.filter((m) => truth[m.truth]!.kind === kind).length
    counts[kind] = { tp, fp: predictions.filter((p) => p.kind === kind).length - tp, fn: truth.filter((t) => t.kind === kind).length - tp }
  }
  return counts
}

/** Sums per-kind counts over videos (MEGC pooling) and scores the sums. */
export function poolSpotting(videos: readonly Record<SpotKind, SpotCounts>[]): SpotReport {
  const sum = { micro: { tp: 0, fp: 0, fn: 0 }, macro: { tp: 0, fp: 0, fn: 0 } }
  for (const v of videos) {
    for (const kind of SPOT_KINDS) {
      sum[kind].tp += v[kind].tp
      sum[kind].fp += v[kind].fp
      sum[kind].fn += v[kind].fn
    }
  }
  return reportOf(sum)
}

function reportOf(counts: Record<SpotKind, SpotCounts>): SpotReport {
  return {
    micro: spotScores(counts.micro),
    macro: spotScores(counts.macro),
    overall: spotScores({
      tp: counts.micro.tp + counts.macro.tp,
      fp: counts.micro.fp + counts.macro.fp,
      fn: counts.micro.fn + counts.macro.fn,
    }),
  }
}
