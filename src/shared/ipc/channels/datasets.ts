import { z } from 'zod'
import {
  DATASET_FORMATS,
  DATASET_TITLES,
  DEFAULT_FPS,
  DatasetFormatSchema,
  DatasetScanSchema,
  DatasetSummarySchema,
  EMOTION_VOCABULARIES,
  ImportProblemSchema,
  LabelSheetSchema,
} from '../../domain/dataset'
import { request } from '../define'

export const DatasetOpenRequestSchema = z.object({
  /** Absolute path of the dataset folder; it becomes a media root. */
  root: z.string().min(1),
  /** Force a layout instead of recognising it. */
  format: DatasetFormatSchema.optional(),
  /** Override the layout's frame rate. */
  fps: z.number().positive().max(10_000).optional(),
  /** Label file (xlsx/csv) to use instead of the one found in the folder. */
  labels: z.string().min(1).optional(),
})

export const DatasetOpenResultSchema = z.object({
  scan: DatasetScanSchema,
  labels: LabelSheetSchema.nullable(),
  /** For each label row (by `rowNumber`), the `subject/name` of the clip it describes, or null. */
  matches: z.array(z.object({ rowNumber: z.number().int().positive(), sample: z.string().nullable() })),
  problems: z.array(ImportProblemSchema),
  summary: DatasetSummarySchema,
  /** Why the format was chosen. */
  reason: z.string(),
})
export type DatasetOpenResult = z.infer<typeof DatasetOpenResultSchema>

export const DatasetLayoutSchema = z.object({
  format: DatasetFormatSchema,
  labelFile: z.string().nullable(),
  reason: z.string(),
  clips: z.number().int().nonnegative(),
})

export const DatasetFormatInfoSchema = z.object({
  format: DatasetFormatSchema,
  title: z.string(),
  /** Published frame rate; null for generic folders. */
  fps: z.number().positive().nullable(),
  emotions: z.array(z.string()),
})

/**
 * Datasets. `command:dataset.open` scans a folder as a job (videos are decoded once to count
 * frames, so big datasets take a while); the job's `event:job.done` result and
 * `query:dataset.opened` give the scan, labels, problems and summary. Nothing is written to the
 * dataset folder.
 */
export const datasetRequests = {
  'command:dataset.open': request(DatasetOpenRequestSchema, z.object({ jobId: z.string() })),
  'query:dataset.opened': request(z.object({ root: z.string().min(1) }), DatasetOpenResultSchema),
  'query:dataset.detect': request(z.object({ root: z.string().min(1) }), DatasetLayoutSchema),
  'query:dataset.labels': request(z.object({ path: z.string().min(1), format: DatasetFormatSchema }), LabelSheetSchema),
  'query:dataset.formats': request(z.object({}), z.array(DatasetFormatInfoSchema)),
} as const

export function datasetFormatInfos(): z.infer<typeof DatasetFormatInfoSchema>[] {
  return DATASET_FORMATS.map((format) => ({
    format,
    title: DATASET_TITLES[format],
    fps: format === 'generic' ? null : DEFAULT_FPS[format],
    emotions: [...EMOTION_VOCABULARIES[format]],
  }))
}
