/**
 * The figures a model's paper reports (card `paper.results`, quoted in models/fidelity.py) and how a
 * studio evaluation compares with them: the studio pools every held-out prediction into one confusion
 * matrix over its classes, so a paper that averaged per fold or per subject, used another split or
 * other classes reports figures that are not comparable — the views say so.
 */
import type { ClassSet, PaperResult } from './model-card'

/** 'CASME II · negative, positive, surprise · LOSO (per-subject mean): accuracy 0.7561, F1 0.74 (Table 5)' */
export function paperResultLine(r: PaperResult): string {
  const figures = r.metrics.map((m) => `${m.name} ${m.value}`).join(', ')
  return `${r.dataset} · ${r.classes.join(', ')} · ${r.protocol} (${r.averaging}): ${figures} (${r.where})`
}

/** How a studio evaluation unit was run (EvaluationReportDto units). */
export interface StudioRun {
  /** true: per-fold models, each sample predicted by the fold that held it out. */
  perFold: boolean
  classes: readonly string[]
  /** The model card's class set: how its classes were made from the coded emotions (absent: not recorded). */
  classSet?: ClassSet | null
}

function reasons(r: PaperResult, run: StudioRun): string[] {
  const out: string[] = []
  if (!/^LOSO\b/.test(r.protocol)) out.push(`the paper's split is ${r.protocol}`)
  if (!run.perFold) out.push('this run is one model over every evaluated sample, not held-out folds')
  if (r.averaging === 'not stated') out.push('the paper does not say how it combines its folds; the studio pools')
  else if (r.averaging !== 'pooled') out.push(`the paper averages ${r.averaging}, the studio pools`)
  if (!sameClasses(r, run)) out.push(`the paper's classes are ${r.classes.join(', ')}`)
  return out
}

function sameClasses(r: PaperResult, run: StudioRun): boolean {
  return r.classes.length === run.classes.length && r.classes.every((c) => run.classes.includes(c))
}

/** The class set behind a result with this run's class names, when it is not the model's (CBAMNet: MEGC vs disgust + repression). */
function otherSet(r: PaperResult, run: StudioRun): string | null {
  const set = run.classSet
  if (!set || !sameClasses(r, run) || !Object.hasOwn(set.paperSets, r.dataset)) return null
  const papers = set.paperSets[r.dataset]!
  return papers === set.name ? null : papers
}

/**
 * null when some reported result was obtained the way this run evaluates (held-out LOSO folds, pooled,
 * same classes made from the same emotions); otherwise one sentence naming what differs from the paper's closest
 * result (fewest differences; the first of equals), and every result whose classes have this run's names but
 * were made from other emotions. Results with no entries give null (nothing to compare with).
 */
export function protocolDifference(results: readonly PaperResult[] | undefined, run: StudioRun): string | null {
  if (!results?.length) return null
  const sets = results.map((r) => otherSet(r, run))
  const count = results.map((r, i) => reasons(r, run).length + (sets[i] === null ? 0 : 1))
  if (count.includes(0)) return null
  const best = count.indexOf(Math.min(...count))
  const closest = reasons(results[best]!, run)
  const others = results.flatMap((r, i) => (sets[i] === null ? [] : [`on ${r.dataset} by ${sets[i]}`]))
  if (others.length) closest.push(`the model's classes are made by the class set ${run.classSet!.name} (${run.classSet!.description}), the paper's ${others.join(', ')}`)
  return `Not the paper's protocol: ${closest.join('; ')}. The paper's figures are not comparable with these.`
}
