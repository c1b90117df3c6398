import { classificationReport, POOLED_METHOD, type ClassificationReport } from '@shared/metrics/classification'
import { foldFamilyOf, heldOutGroupsOf, isHeldOutBy } from '@shared/domain/batch'
import { classMappingLine, codedClassFor } from '@shared/domain/class-set'
import type { ClassSet } from '@shared/domain/model-card'

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
  /**
   * The card's `training.subjects` ("DATASET/SUBJECT" of every subject in its training data), or null
   * when the card does not record them (then leakage cannot be checked and the report says so).
   */
  trainingSubjects: readonly string[] | null
  classes: readonly string[]
  /** The card's `classSet` (how coded emotions become `classes`), null when it names none. */
  classSet: ClassSet | null
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
  /** What the figure is: per-fold models' held-out predictions pooled (LOSO, …), or one model's predictions pooled. */
  figure: string
  /**
   * Training-set contamination of a single model's figures: the samples counted whose subject the
   * card says it was trained on, or `subjectsKnown: false` when the card does not record its subjects.
   * Null for per-fold units (samples seen in training are left out there, `excluded.seenInTraining`).
   */
  leakage: { subjectsKnown: boolean; seenInTraining: number; note: string } | null
  classes: string[]
  /** How the coded emotions were mapped onto `classes` (`classMappingLine`). */
  classMapping: string
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
  'mapped onto each model\'s classes by its card\'s class set (without one: the class of the same name, else the MEGC 2019 composite mapping for negative/positive/surprise models); samples whose label has no ' +
  'class there, uncoded samples and failed predictions are left out and counted. Per-fold models are evaluated together, each sample ' +
  'with the model that held its (dataset, subject) out.'

interface Accumulator {
  unit: Omit<EvaluationUnit, 'overall' | 'perDataset' | 'perSubject' | 'figure' | 'leakage'>
  rows: { dataset: string; subject: string; truth: string; predicted: string; seen: boolean }[]
  protocol: string
  trainingSubjects: Set<string> | null
}

export function evaluate(inputs: Iterable<EvaluationInput>): EvaluationReport {
  const units = new Map<string, Accumulator>()
  for (const input of inputs) {
    const groups = heldOutGroupsOf(input.protocol)
    const id = groups ? foldFamilyOf(input.modelId) : input.modelId
    // An all-data model shares its id with its fold family: kept apart, never pooled together.
    const key = `${groups ? 'folds' : 'model'}\u0000${id}`
    let acc = units.get(key)
    if (!acc) {
      acc = {
        unit: { id, models: [], perFold: groups !== null, classes: [...input.classes], classMapping: classMappingLine(input), excluded: { uncoded: 0, notInClasses: 0, failed: 0, seenInTraining: 0 }, misclassified: [] },
        rows: [],
        protocol: input.protocol,
        trainingSubjects: input.trainingSubjects === null ? null : new Set(input.trainingSubjects),
      }
      units.set(key, acc)
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
    const truth = codedClassFor(input.codedEmotion, input)
    if (truth === null) {
      excluded.notInClasses += 1
      continue
    }
    if (input.predicted === null) {
      excluded.failed += 1
      continue
    }
    acc.rows.push({ dataset: input.dataset, subject: input.subject, truth, predicted: input.predicted, seen: acc.trainingSubjects?.has(`${input.dataset}/${input.subject}`) ?? false })
    if (truth !== input.predicted) {
      acc.unit.misclassified.push({
        dataset: input.dataset, subject: input.subject, sample: input.sample, sampleId: input.sampleId, modelId: input.modelId, truth, predicted: input.predicted,
      })
    }
  }
  return {
    method: EVALUATION_METHOD,
    units: [...units.values()]
      .sort((a, b) => (a.unit.id < b.unit.id ? -1 : a.unit.id > b.unit.id ? 1 : Number(a.unit.perFold) - Number(b.unit.perFold)))
      .map(({ unit, rows, protocol, trainingSubjects }) => {
        const report = (subset: typeof rows) => classificationReport(subset.map((r) => r.truth), subset.map((r) => r.predicted), unit.classes)
        const datasets = [...new Set(rows.map((r) => r.dataset))].sort()
        const subjects = [...new Set(rows.map((r) => `${r.dataset}\u0000${r.subject}`))].sort()
        return {
          ...unit,
          models: [...unit.models].sort(),
          figure: figureOf(unit.perFold, protocol),
          leakage: unit.perFold ? null : leakageOf(rows.filter((r) => r.seen).length, rows.length, trainingSubjects !== null),
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

/** "LOSO per-fold models, pooled": the cross-validation scheme is the protocol's head (`loso, fold 3: …`). */
function figureOf(perFold: boolean, protocol: string): string {
  if (!perFold) return 'one model, pooled over its predictions'
  const scheme = protocol.split(',')[0]!.trim()
  return `${/^loso\b/i.test(scheme) ? 'LOSO' : scheme} per-fold models, pooled over held-out predictions`
}

function leakageOf(seen: number, counted: number, subjectsKnown: boolean): NonNullable<EvaluationUnit['leakage']> {
  if (!subjectsKnown) return { subjectsKnown, seenInTraining: 0, note: 'training subjects unknown: the card does not record which subjects the model was trained on' }
  return {
    subjectsKnown,
    seenInTraining: seen,
    note: seen === 0
      ? 'no sample is from a subject the model was trained on'
      : `${seen} of ${counted} samples are from subjects the model was trained on: these are training-set figures, not held-out ones`,
  }
}
