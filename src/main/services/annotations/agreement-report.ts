import { primaryAus, type AuMatchOptions } from '@shared/domain/au'
import { disagreements, hasContent, type Annotation } from '@shared/domain/annotation'
import {
  cohenKappa,
  fleissKappa,
  intervalIoU,
  markDifference,
  perAuAgreement,
  summariseFacsAgreement,
  summariseMarkDifferences,
  type FacsAgreementSummary,
  type KappaResult,
  type MarkDifferenceSummary,
  type PerAuAgreement,
} from '@shared/metrics/agreement'
import { StudioError } from '@shared/ipc/errors'
import type { Project } from '../project/project'
import type { AnnotationSnapshot, SampleKey } from './annotation-snapshot'

/** The four ways to match AUs: number only, + side, + intensity, + both. */
export const AU_MATCH_VARIANTS: readonly AuMatchOptions[] = [
  { laterality: false, intensity: false },
  { laterality: true, intensity: false },
  { laterality: false, intensity: true },
  { laterality: true, intensity: true },
]

export interface PairAgreement {
  a: { id: number; name: string }
  b: { id: number; name: string }
  /** Samples both coders coded. */
  samples: number
  emotion: KappaResult
  objectiveClass: KappaResult
  /** FACS agreement ratio under each matching variant. */
  facs: (AuMatchOptions & FacsAgreementSummary)[]
  perAu: (AuMatchOptions & { aus: PerAuAgreement[] })[]
  /** b − a per mark, frames and ms (each sample's own fps). */
  marks: { onset: MarkDifferenceSummary; apex: MarkDifferenceSummary; offset: MarkDifferenceSummary }
  /** Onset–offset interval IoU on inclusive frame counts, over samples where both marked both. */
  iou: { n: number; mean: number | null; atLeastHalf: number }
  /** Samples where the two codings disagree, and on what. */
  disagreements: { sampleId: number; subject: string; name: string; fields: string[] }[]
}

export interface AgreementReport {
  datasetId: number | null
  coders: { id: number; name: string }[]
  /** Samples coded by at least two of the coders. */
  samples: number
  /** Fleiss' κ on emotion over samples every coder labelled (null with fewer than three coders). */
  fleissEmotion: KappaResult | null
  pairs: PairAgreement[]
}

/**
 * Agreement between coders over a dataset (or the whole project). Coders default to every
 * annotator with role `coder`; the dataset's own labels can be compared by naming its
 * annotator explicitly. Adjudicated annotations never enter the figures. The codings come from
 * the project's snapshot (kept current per edited sample), so the report costs its arithmetic.
 */
export function agreementReport(
  project: Project,
  snapshot: AnnotationSnapshot,
  options: { datasetId?: number; annotatorIds?: number[] } = {},
): AgreementReport {
  const annotators = project.listAnnotators()
  const coders = options.annotatorIds
    ? options.annotatorIds.map((id) => {
        const found = annotators.find((a) => a.id === id)
        if (!found) throw new StudioError('not-found', `No annotator ${id} in this project`)
        return found
      })
    : annotators.filter((a) => a.role === 'coder')
  const samples = new Map(snapshot.sampleKeys(options.datasetId).map((s) => [s.id, s]))
  // codings.get(sampleId).get(annotatorId)
  const codings = new Map<number, Map<number, Annotation>>()
  const coderIds = new Set(coders.map((c) => c.id))
  for (const a of snapshot.annotations(options.datasetId)) {
    if (a.adjudicated || !coderIds.has(a.annotatorId) || !hasContent(a)) continue
    let bySample = codings.get(a.sampleId)
    if (!bySample) codings.set(a.sampleId, (bySample = new Map()))
    bySample.set(a.annotatorId, a)
  }
  const pairs: PairAgreement[] = []
  for (let i = 0; i < coders.length; i++) {
    for (let j = i + 1; j < coders.length; j++) {
      const both: [SampleKey, Annotation, Annotation][] = []
      for (const [sampleId, bySample] of codings) {
        const x = bySample.get(coders[i]!.id)
        const y = bySample.get(coders[j]!.id)
        const sample = samples.get(sampleId)
        if (x && y && sample) both.push([sample, x, y])
      }
      pairs.push(pairAgreement({ id: coders[i]!.id, name: coders[i]!.name }, { id: coders[j]!.id, name: coders[j]!.name }, both))
    }
  }
  const ids = coders.map((c) => c.id)
  const multiCoded = [...codings.values()].filter((m) => m.size >= 2).length
  return {
    datasetId: options.datasetId ?? null,
    coders: coders.map((c) => ({ id: c.id, name: c.name })),
    samples: multiCoded,
    fleissEmotion: coders.length >= 3 ? fleissKappa([...codings.values()].map((m) => ids.map((id) => m.get(id)?.emotion ?? null))) : null,
    pairs,
  }
}

function pairAgreement(a: { id: number; name: string }, b: { id: number; name: string }, both: [SampleKey, Annotation, Annotation][]): PairAgreement {
  const auPairs = both.map(([, x, y]) => [primaryAus(x.aus), primaryAus(y.aus)] as [ReturnType<typeof primaryAus>, ReturnType<typeof primaryAus>])
  const marks = (m: 'onset' | 'apex' | 'offset') => summariseMarkDifferences(both.map(([s, x, y]) => markDifference(x[m], y[m], s.fps)))
  const ious = both
    .filter(([, x, y]) => x.onset !== null && x.offset !== null && y.onset !== null && y.offset !== null)
    .map(([, x, y]) => intervalIoU({ start: x.onset!, end: x.offset! }, { start: y.onset!, end: y.offset! }))
  return {
    a,
    b,
    samples: both.length,
    emotion: cohenKappa(
      both.map(([, x]) => x.emotion),
      both.map(([, , y]) => y.emotion),
    ),
    objectiveClass: cohenKappa(
      both.map(([, x]) => x.objectiveClass),
      both.map(([, , y]) => y.objectiveClass),
    ),
    facs: AU_MATCH_VARIANTS.map((v) => ({ ...v, ...summariseFacsAgreement(auPairs, v) })),
    perAu: AU_MATCH_VARIANTS.map((v) => ({ ...v, aus: perAuAgreement(auPairs, v) })),
    marks: { onset: marks('onset'), apex: marks('apex'), offset: marks('offset') },
    iou: {
      n: ious.length,
      mean: ious.length === 0 ? null : ious.reduce((s, x) => s + x, 0) / ious.length,
      atLeastHalf: ious.filter((x) => x >= 0.5).length,
    },
    disagreements: both
      .map(([s, x, y]) => ({ sampleId: s.id, subject: s.subject, name: s.name, fields: disagreements(x, y) }))
      .filter((d) => d.fields.length > 0),
  }
}
