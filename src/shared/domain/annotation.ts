import { z } from 'zod'
import { AuSetSchema, auKey, formatAus, primaryAus, type AuSet } from './au'
import { MAX_MICRO_EXPRESSION_MS } from './dataset'

/**
 * Micro-expression annotations: one per sample × coder (plus at most one adjudicated one per
 * sample). Marks are frame numbers in the dataset's own numbering (CASME II's `img46` is 46),
 * never times, so they survive any change of playback rate.
 */

export const FrameNumberSchema = z.number().int().nonnegative()

/** The coder's own progress flag; the sample status below is derived from content, not from it. */
export const ANNOTATION_STATUSES = ['draft', 'done'] as const
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number]

export const AnnotationFieldsSchema = z.object({
  onset: FrameNumberSchema.nullable(),
  apex: FrameNumberSchema.nullable(),
  offset: FrameNumberSchema.nullable(),
  aus: AuSetSchema,
  emotion: z.string().min(1).nullable(),
  objectiveClass: z.string().min(1).nullable(),
  notes: z.string(),
  /** The coder's confidence in this coding, 0–1. */
  confidence: z.number().min(0).max(1).nullable(),
  status: z.enum(ANNOTATION_STATUSES),
})
export type AnnotationFields = z.infer<typeof AnnotationFieldsSchema>

export const EMPTY_ANNOTATION_FIELDS: AnnotationFields = {
  onset: null,
  apex: null,
  offset: null,
  aus: { alternatives: [[]] },
  emotion: null,
  objectiveClass: null,
  notes: '',
  confidence: null,
  status: 'draft',
}

export const AnnotationPatchSchema = AnnotationFieldsSchema.partial()
export type AnnotationPatch = z.infer<typeof AnnotationPatchSchema>

export const AnnotationSchema = AnnotationFieldsSchema.extend({
  id: z.number().int().positive(),
  sampleId: z.number().int().positive(),
  annotatorId: z.number().int().positive(),
  /** The adjudicated (consensus) coding of the sample, kept apart from every coder's own. */
  adjudicated: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
})
export type Annotation = z.infer<typeof AnnotationSchema>

/** The coded fields of an annotation, without its identity and timestamps. */
export function annotationFields(a: Annotation): AnnotationFields {
  return {
    onset: a.onset,
    apex: a.apex,
    offset: a.offset,
    aus: a.aus,
    emotion: a.emotion,
    objectiveClass: a.objectiveClass,
    notes: a.notes,
    confidence: a.confidence,
    status: a.status,
  }
}

export const ANNOTATOR_ROLES = ['coder', 'adjudicator', 'dataset'] as const
export type AnnotatorRole = (typeof ANNOTATOR_ROLES)[number]

export const AnnotatorSchema = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  initials: z.string(),
  /** `dataset`: the labels that came with an imported dataset; `adjudicator` may see every coder's codes in blind mode. */
  role: z.enum(ANNOTATOR_ROLES),
  createdAt: z.string(),
})
export type Annotator = z.infer<typeof AnnotatorSchema>

// ---------------------------------------------------------------------------------------------
// Validation

export const AnnotationIssueSchema = z.object({
  level: z.enum(['error', 'warning']),
  code: z.enum(['order', 'out-of-range', 'not-micro', 'apex-missing', 'incomplete', 'ambiguous-aus']),
  message: z.string(),
})
export type AnnotationIssue = z.infer<typeof AnnotationIssueSchema>

export interface ClipTiming {
  fps: number
  /** First and last frame numbers of the clip, when known. */
  firstFrame?: number | null
  lastFrame?: number | null
}

/** Milliseconds from the clip's first frame to `frame`. */
export function frameToMs(frame: number, clip: ClipTiming): number {
  return ((frame - (clip.firstFrame ?? 0)) * 1000) / clip.fps
}

/** Elapsed time from the onset frame to the offset frame (the frames' start times), in ms. */
export function durationMs(onset: number, offset: number, fps: number): number {
  return ((offset - onset) * 1000) / fps
}

export function validateAnnotation(fields: AnnotationFields, clip?: ClipTiming): AnnotationIssue[] {
  const issues: AnnotationIssue[] = []
  const { onset, apex, offset } = fields
  const marks = [
    ['onset', onset],
    ['apex', apex],
    ['offset', offset],
  ] as const
  const set = marks.filter(([, v]) => v !== null) as [string, number][]
  for (let i = 1; i < set.length; i++) {
    const [prevName, prev] = set[i - 1]!
    const [name, value] = set[i]!
    if (prev > value) issues.push({ level: 'error', code: 'order', message: `${prevName} (${prev}) is after ${name} (${value})` })
  }
  if (clip && (clip.firstFrame ?? null) !== null && (clip.lastFrame ?? null) !== null) {
    for (const [name, value] of set) {
      if (value < clip.firstFrame! || value > clip.lastFrame!) {
        issues.push({ level: 'error', code: 'out-of-range', message: `${name} ${value} is outside the clip (frames ${clip.firstFrame}–${clip.lastFrame})` })
      }
    }
  }
  if (onset !== null && offset !== null && clip && onset <= offset) {
    const ms = durationMs(onset, offset, clip.fps)
    if (ms > MAX_MICRO_EXPRESSION_MS) {
      issues.push({ level: 'warning', code: 'not-micro', message: `onset→offset lasts ${Math.round(ms)} ms (> ${MAX_MICRO_EXPRESSION_MS} ms): not a micro-expression` })
    }
  }
  if (set.length > 0 && apex === null) issues.push({ level: 'warning', code: 'apex-missing', message: 'apex frame not marked' })
  if (set.length > 0 && (onset === null || offset === null)) {
    issues.push({ level: 'warning', code: 'incomplete', message: `${onset === null ? 'onset' : 'offset'} frame not marked` })
  }
  if (fields.aus.alternatives.length > 1) {
    issues.push({ level: 'warning', code: 'ambiguous-aus', message: `AUs "${formatAus(fields.aus)}" list alternatives; the first is used` })
  }
  return issues
}

// ---------------------------------------------------------------------------------------------
// Sample status

export const SAMPLE_STATUSES = ['uncoded', 'coded', 'disputed', 'adjudicated'] as const
export type SampleStatus = (typeof SAMPLE_STATUSES)[number]

/** Whether a coder has put anything into the annotation (marks, AUs, labels, notes). */
export function hasContent(fields: AnnotationFields): boolean {
  return (
    fields.onset !== null ||
    fields.apex !== null ||
    fields.offset !== null ||
    primaryAus(fields.aus).length > 0 ||
    fields.emotion !== null ||
    fields.objectiveClass !== null ||
    fields.notes.trim() !== ''
  )
}

export interface DisagreementOptions {
  /** Marks within this many frames of each other count as agreeing. */
  markToleranceFrames: number
}

export const DEFAULT_DISAGREEMENT: DisagreementOptions = { markToleranceFrames: 3 }

/** Why two codings of a sample disagree: emotion, AU set (number and side), or a mark further apart than the tolerance. */
export function disagreements(a: AnnotationFields, b: AnnotationFields, options: DisagreementOptions = DEFAULT_DISAGREEMENT): string[] {
  const out: string[] = []
  if ((a.emotion ?? '') !== (b.emotion ?? '')) out.push('emotion')
  if (auSetKey(a.aus) !== auSetKey(b.aus)) out.push('aus')
  for (const mark of ['onset', 'apex', 'offset'] as const) {
    const x = a[mark]
    const y = b[mark]
    if ((x === null) !== (y === null) || (x !== null && y !== null && Math.abs(x - y) > options.markToleranceFrames)) out.push(mark)
  }
  return out
}

function auSetKey(set: AuSet): string {
  return primaryAus(set)
    .map((c) => auKey(c, { laterality: true, intensity: false }))
    .sort()
    .join('+')
}

/**
 * uncoded: nobody has coded it; adjudicated: a consensus coding exists; disputed: two coders
 * disagree (see `disagreements`); coded: one coder, or all coders agree.
 */
export function deriveSampleStatus(
  annotations: readonly { adjudicated: boolean; fields: AnnotationFields }[],
  options: DisagreementOptions = DEFAULT_DISAGREEMENT,
): SampleStatus {
  if (annotations.some((a) => a.adjudicated && hasContent(a.fields))) return 'adjudicated'
  const coded = annotations.filter((a) => !a.adjudicated && hasContent(a.fields))
  if (coded.length === 0) return 'uncoded'
  for (let i = 0; i < coded.length; i++) {
    for (let j = i + 1; j < coded.length; j++) {
      if (disagreements(coded[i]!.fields, coded[j]!.fields, options).length > 0) return 'disputed'
    }
  }
  return 'coded'
}
