/**
 * Classification metrics as micro-expression recognition reports them (MEGC 2019): computed on
 * the POOLED predictions of all folds — one confusion matrix, not an average of per-fold figures.
 *
 *   F1_c     = 2·TP_c / (2·TP_c + FP_c + FN_c)
 *   recall_c = TP_c / N_c                      (N_c: ground-truth samples of class c)
 *   UF1 = mean_c F1_c,  UAR = mean_c recall_c
 *
 * Both means run over the classes PRESENT IN THE GROUND TRUTH (N_c > 0): a class that only
 * appears among predictions has no recall and an F1 of 0 by construction, so it is not averaged
 * in; the samples predicted as it still count as false negatives of their true classes (lower
 * F1, recall and accuracy). `classes` may name extra classes for the matrix; absent from the
 * ground truth, they do not enter the means either.
 */

export interface ConfusionMatrix {
  /** Row/column order: ground truth rows, predictions columns. */
  classes: string[]
  /** counts[t][p]: samples of true class t predicted as p. */
  counts: number[][]
}

export interface ClassScores {
  label: string
  support: number
  tp: number
  fp: number
  fn: number
  f1: number | null
  recall: number | null
}

export interface ClassificationReport {
  n: number
  accuracy: number | null
  /** Unweighted (macro) F1 over ground-truth classes. */
  uf1: number | null
  /** Unweighted average recall over ground-truth classes. */
  uar: number | null
  perClass: ClassScores[]
  confusion: ConfusionMatrix
  /** Says how the figures were computed, for exports and the UI. */
  method: string
}

export const POOLED_METHOD =
  'pooled over all folds (one confusion matrix); UF1 and UAR averaged over the classes present in the ground truth'

export function confusionMatrix(truth: readonly string[], predicted: readonly string[], classes?: readonly string[]): ConfusionMatrix {
  if (truth.length !== predicted.length) throw new Error(`confusionMatrix: ${truth.length} labels vs ${predicted.length} predictions`)
  const order = [...(classes ?? [])]
  for (const label of [...truth, ...predicted]) if (!order.includes(label)) order.push(label)
  if (!classes) order.sort()
  const index = new Map(order.map((c, i) => [c, i]))
  const counts = order.map(() => order.map(() => 0))
  for (let i = 0; i < truth.length; i++) counts[index.get(truth[i]!)!]![index.get(predicted[i]!)!]! += 1
  return { classes: order, counts }
}

export function classificationReport(truth: readonly string[], predicted: readonly string[], classes?: readonly string[]): ClassificationReport {
  const confusion = confusionMatrix(truth, predicted, classes)
  const k = confusion.classes.length
  const perClass: ClassScores[] = confusion.classes.map((label, c) => {
    const row = confusion.counts[c]!
    const tp = row[c]!
    const support = row.reduce((s, x) => s + x, 0)
    let predictedAsC = 0
    for (let t = 0; t < k; t++) predictedAsC += confusion.counts[t]![c]!
    const fp = predictedAsC - tp
    const fn = support - tp
    return {
      label,
      support,
      tp,
      fp,
      fn,
      f1: support === 0 ? null : (2 * tp) / (2 * tp + fp + fn),
      recall: support === 0 ? null : tp / support,
    }
  })
  const present = perClass.filter((c) => c.support > 0)
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length)
  const n = truth.length
  const correct = perClass.reduce((s, c) => s + c.tp, 0)
  return {
    n,
    accuracy: n === 0 ? null : correct / n,
    uf1: mean(present.map((c) => c.f1!)),
    uar: mean(present.map((c) => c.recall!)),
    perClass,
    confusion,
    method: POOLED_METHOD,
  }
}

/** Unweighted F1 (pooled), see module comment. */
export function unweightedF1(truth: readonly string[], predicted: readonly string[]): number | null {
  return classificationReport(truth, predicted).uf1
}

/** Unweighted average recall (pooled), see module comment. */
export function unweightedAverageRecall(truth: readonly string[], predicted: readonly string[]): number | null {
  return classificationReport(truth, predicted).uar
}
