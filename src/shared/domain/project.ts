import { z } from 'zod'
import { AnnotationSchema, SAMPLE_STATUSES } from './annotation'
import { ClipInfoSchema, DatasetFormatSchema, ImportProblemSchema } from './dataset'

/** What the project database hands out: datasets, samples and their coding status. */

export const DatasetRecordSchema = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  /** Absolute path of the dataset folder (never modified by the studio). */
  root: z.string(),
  format: DatasetFormatSchema,
  fps: z.number().positive(),
  labelsPath: z.string().nullable(),
  importedAt: z.string(),
  problems: z.array(ImportProblemSchema),
  sampleCount: z.number().int().nonnegative(),
  subjectCount: z.number().int().nonnegative(),
})
export type DatasetRecord = z.infer<typeof DatasetRecordSchema>

export const SampleRecordSchema = z.object({
  id: z.number().int().positive(),
  datasetId: z.number().int().positive(),
  subject: z.string(),
  name: z.string(),
  /** Clip with an absolute path; `frameNumbers` in the dataset's numbering. */
  clip: ClipInfoSchema,
  firstFrame: z.number().int().nullable(),
  lastFrame: z.number().int().nullable(),
  folderLabel: z.string().nullable(),
})
export type SampleRecord = z.infer<typeof SampleRecordSchema>

/** A row of the dataset browser: the sample without its frame list, plus coding status. */
export const SampleSummarySchema = z.object({
  id: z.number().int().positive(),
  datasetId: z.number().int().positive(),
  subject: z.string(),
  name: z.string(),
  clipKind: z.enum(['video', 'frames']),
  fps: z.number().positive(),
  frameCount: z.number().int().nonnegative(),
  firstFrame: z.number().int().nullable(),
  lastFrame: z.number().int().nullable(),
  status: z.enum(SAMPLE_STATUSES),
  /** Coders (role `coder`) with something coded on this sample. */
  coders: z.number().int().nonnegative(),
  /** The requesting coder's own annotation, if any. */
  mine: AnnotationSchema.nullable(),
  /** The labels that came with the dataset, if any. */
  datasetLabel: AnnotationSchema.nullable(),
})
export type SampleSummary = z.infer<typeof SampleSummarySchema>

export const SampleFilterSchema = z.object({
  datasetId: z.number().int().positive().optional(),
  subject: z.string().optional(),
  /** Matches the emotion of any visible annotation (the dataset's labels included). */
  emotion: z.string().optional(),
  /** AU number present in any visible annotation (first alternative). */
  au: z.number().int().min(0).max(99).optional(),
  status: z.enum(SAMPLE_STATUSES).optional(),
})
export type SampleFilter = z.infer<typeof SampleFilterSchema>
