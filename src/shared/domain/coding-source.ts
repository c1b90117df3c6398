import { z } from 'zod'

/**
 * Which coding of a sample gives its frames (and AUs, emotion): the adjudicated coding, the
 * current coder's own, or the labels that came with the dataset. Inspect, Motion and the batch
 * offer the same choice and say which one they used in the same words.
 */
export const CodingSourceSchema = z.enum(['adjudicated', 'mine', 'dataset'])
export type CodingSource = z.infer<typeof CodingSourceSchema>

/** How each source is named wherever the views say which frames they used. */
export const CODING_SOURCE_LABELS: Readonly<Record<CodingSource, string>> = {
  adjudicated: 'adjudicated coding',
  mine: 'your coding',
  dataset: 'dataset labels',
}

/** Preference when the user has not chosen: the consensus, then the coder's own work, then the dataset's labels. */
export const CODING_SOURCE_ORDER: readonly CodingSource[] = ['adjudicated', 'mine', 'dataset']

/** The order in which codings are tried when `preferred` is chosen: it first, then the usual order. */
export function codingSourcesFrom(preferred: CodingSource | null): CodingSource[] {
  return preferred ? [preferred, ...CODING_SOURCE_ORDER.filter((s) => s !== preferred)] : [...CODING_SOURCE_ORDER]
}

/**
 * A batch's reference coding of each sample: the sources in the order of `prefer`, "mine" being
 * `annotatorId`'s coding. Without it a batch takes the adjudicated coding, else the dataset's
 * labels, else the first coder's.
 */
export const BatchReferenceSchema = z.object({
  prefer: CodingSourceSchema.default('adjudicated'),
  annotatorId: z.number().int().positive().nullable().default(null),
})
export type BatchReference = z.infer<typeof BatchReferenceSchema>

/**
 * The predictions CSV's `frames_coding` (and the batch view's words): which coding a row's frames
 * came from, the coder named (a CSV has no "you").
 */
export function framesCodingLabel(coding: { adjudicated: boolean; role: string; coder: string } | null): string | null {
  if (!coding) return null
  if (coding.adjudicated) return CODING_SOURCE_LABELS.adjudicated
  return coding.role === 'dataset' ? CODING_SOURCE_LABELS.dataset : `coding of ${coding.coder}`
}
