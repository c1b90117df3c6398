import { classificationReport, POOLED_METHOD, type ClassificationReport } from '@shared/metrics/classification'
import { foldFamilyOf, heldOutGroupsOf, isHeldOutBy } from '@shared/domain/batch'
import { codedClassFor } from './labels'

/**
 * Evaluation of batch predictions against the coded labels, as micro-expression papers should
 * report it: pooled UF1/UAR/accuracy (one confusion matrix, `@shared/metrics/classification`),
 * per model — or, for per-fold models of a subject-grouped cross-validation, per family, where
 * each sample counts only with the fold model that held its (dataset, subject) out — with
 * per-dataset and per-subject breakdowns.
 */

export interface EvaluationInput {
  dataset: string
  subject: string
  sample: string
  sampleId: number | null
  modelId: string
  /** The model card's `training.protocol` (tells per-fold models apart). */
  protocol: string
  classes: readonly string[]
  /** The reference coding's emotion (mapped onto the model's classes here). */
  codedEmotion: string | null
  /** Null when the prediction failed. */
  predicted: string | null
}

export interface Misclassified {
  dataset: string
  subject: string
  sample: string
  sampleId: number | null
  modelId: string
  truth: string
  predicted: string
}

export interface BreakdownRow {
  dataset: string
  /** Null for a per-dataset row. */
  subject: string | null
  report: ClassificationReport
}

export interface EvaluationUnit {
  /** The model id, or the family id of per-fold models. */
  id: string
  /** Models that contributed (one, or the fold models). */
  models: string[]
  perFold: boolean
  classes: string[]
  overall: ClassificationReport
  perDataset: BreakdownRow[]
  perSubject: BreakdownRow[]
  /** Predictions left out, and why. */
  excluded: { uncoded: number; notInClasses: number; failed: number; seenInTraining: number }
  misclassified: Misclassified[]
}

export interface EvaluationReport {
  units: EvaluationUnit[]
  method: string
}

export const EVALUATION_METHOD =
  `${POOLED_METHOD}. Coded labels are the reference coding (adjudicated, else the dataset's labels, else the first coder's), ` +
  'mapped onto each model\'s classes (MEGC 2019 composite mapping for negative/positive/surprise models); samples whose label has no ' +
  'class there, uncoded samples and failed predictions are left out and counted. Per-fold models are evaluated together, each sample ' +
  'with the model that held its (dataset, subject) out.'

interface Accumulator {
  unit: Omit<EvaluationUnit, 'overall' | 'perDataset' | 'perSubject'>
  rows: { dataset: string; subject: string; truth: string; predicted: string }[]
}

export function evaluate(inputs: Iterable<EvaluationInput>): EvaluationReport {
  const units = new Map<string, Accumulator>()
  for (const input of inputs) {
    const groups = heldOutGroupsOf(input.protocol)
    const id = groups ? foldFamilyOf(input.modelId) : input.modelId
    let acc = units.get(id)
    if (!acc) {
      acc = {
        unit: { id, models: [], perFold: groups !== null, classes: [...input.classes], excluded: { uncoded: 0, notInClasses: 0, failed: 0, seenInTraining: 0 }, misclassified: [] },
        rows: [],
      }
      units.set(id, acc)
    }
    if (!acc.unit.models.includes(input.modelId)) acc.unit.models.push(input.modelId)
    const excluded = acc.unit.excluded
    if (!isHeldOutBy(groups, input.dataset, input.subject)) {
      excluded.seenInTraining += 1
      continue
    }
    if (input.codedEmotion === null) {
      excluded.uncoded += 1
      continue
    }
    const truth = codedClassFor(input.codedEmotion, input.classes)
    if (truth === null) {
      excluded.notInClasses += 1
      continue
    }
    if (input.predicted === null) {
      excluded.failed += 1
      continue
    }
    acc.rows.push({ dataset: input.dataset, subject: input.subject, truth, predicted: input.predicted })
    if (truth !== input.predicted) {
      acc.unit.misclassified.push({
        dataset: input.dataset, subject: input.subject, sample: input.sample, sampleId: input.sampleId, modelId: input.modelId, truth, predicted: input.predicted,
      })
    }
  }
  return {
    method: EVALUATION_METHOD,
    units: [...units.values()]
      .sort((a, b) => (a.unit.id < b.unit.id ? -1 : a.unit.id > b.unit.id ? 1 : 0))
      .map(({ unit, rows }) => {
        const report = (subset: typeof rows) => classificationReport(subset.map((r) => r.truth), subset.map((r) => r.predicted), unit.classes)
        const datasets = [...new Set(rows.map((r) => r.dataset))].sort()
        const subjects = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.subject}`))].sort()
        return {
          ...unit,
          models: [...unit.models].sort(),
          overall: report(rows),
          perDataset: datasets.map((dataset) => ({ dataset, subject: null, report: report(rows.filter((r) => r.dataset === dataset)) })),
          perSubject: subjects.map((key) => {
            const [dataset, subject] = key.split('\u0000') as [string, string]
            return { dataset, subject, report: report(rows.filter((r) => r.dataset === dataset && r.subject === subject)) }
          }),
        }
      }),
  }
}
