import { z } from 'zod'
import { BatchSelectionSchema, ShardSchema } from '../../domain/batch'
import { ErrorShapeSchema } from '../envelope'
import { request } from '../define'
import { DownloadFlagSchema, DownloadsSchema, OverwriteSchema } from './export-target'
import { JobIdSchema, JobStartedSchema, JobStateSchema } from './jobs'

/**
 * Batch prediction over a project's samples (a resumable job: the progress of a running one
 * arrives as `event:batch.progress`, completion as `event:job.done`), predictions exports,
 * evaluation reports and the training-set export for the models kit.
 */

export const PREDICTION_EXPORT_FORMATS = ['csv', 'xlsx', 'json'] as const
/** Evaluation report exports: summary CSV (+ its confusion-matrix CSV), self-contained HTML, PNG image. */
export const EVALUATION_EXPORT_FORMATS = ['csv', 'html', 'png'] as const

export const BatchJobSummarySchema = z.object({
  jobId: JobIdSchema,
  state: JobStateSchema,
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  models: z.array(z.string()),
  /** The selection as `--select` text, plus the shard if any. */
  scope: z.string(),
  createdAt: z.string(),
  /** Running in this process now (else it can be resumed unless completed). */
  active: z.boolean(),
})
export type BatchJobSummary = z.infer<typeof BatchJobSummarySchema>

export const BatchProgressSchema = z.object({
  jobId: JobIdSchema,
  state: z.enum(['running', 'paused']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  etaMs: z.number().nonnegative().nullable(),
  throughput: z.number().nonnegative().nullable(),
})

export const BatchItemErrorSchema = z.object({
  sampleId: z.number().int().positive(),
  dataset: z.string(),
  subject: z.string(),
  sample: z.string(),
  modelId: z.string(),
  error: ErrorShapeSchema,
})

const ReportSchema = z.object({
  n: z.number().int(),
  accuracy: z.number().nullable(),
  uf1: z.number().nullable(),
  uar: z.number().nullable(),
  perClass: z.array(
    z.object({
      label: z.string(),
      support: z.number().int(),
      tp: z.number().int(),
      fp: z.number().int(),
      fn: z.number().int(),
      f1: z.number().nullable(),
      recall: z.number().nullable(),
    }),
  ),
  confusion: z.object({ classes: z.array(z.string()), counts: z.array(z.array(z.number().int())) }),
  method: z.string(),
})

const BreakdownSchema = z.object({ dataset: z.string(), subject: z.string().nullable(), report: ReportSchema })

export const EvaluationReportSchema = z.object({
  method: z.string(),
  units: z.array(
    z.object({
      id: z.string(),
      models: z.array(z.string()),
      perFold: z.boolean(),
      figure: z.string(),
      leakage: z.object({ subjectsKnown: z.boolean(), seenInTraining: z.number().int(), note: z.string() }).nullable(),
      classes: z.array(z.string()),
      classMapping: z.string(),
      overall: ReportSchema,
      perDataset: z.array(BreakdownSchema),
      perSubject: z.array(BreakdownSchema),
      excluded: z.object({ uncoded: z.number().int(), notInClasses: z.number().int(), failed: z.number().int(), seenInTraining: z.number().int() }),
      misclassified: z.array(
        z.object({
          dataset: z.string(),
          subject: z.string(),
          sample: z.string(),
          sampleId: z.number().int().positive().nullable(),
          modelId: z.string(),
          truth: z.string(),
          predicted: z.string(),
        }),
      ),
    }),
  ),
})
export type EvaluationReportDto = z.infer<typeof EvaluationReportSchema>

const JobRef = z.object({ jobId: JobIdSchema })

export const batchRequests = {
  'command:batch.start': request(
    z.object({
      models: z.array(z.string().min(1)).min(1),
      selection: BatchSelectionSchema,
      shard: ShardSchema.nullable().default(null),
      provider: z.string().min(1).nullable().default(null),
      summaries: z.boolean().default(false),
    }),
    z.object({ jobId: JobIdSchema, total: z.number().int().nonnegative() }),
  ),
  'command:batch.resume': request(JobRef, z.object({ jobId: JobIdSchema, total: z.number().int().nonnegative() })),
  'command:batch.pause': request(JobRef, z.object({ paused: z.boolean() })),
  'command:batch.cancel': request(JobRef, z.object({ cancelled: z.boolean() })),
  'query:batch.jobs': request(z.object({}), z.array(BatchJobSummarySchema)),
  'query:batch.errors': request(JobRef, z.array(BatchItemErrorSchema)),
  'command:batch.export': request(
    /** `path` is optional with `download` (then the file is only downloaded). */
    z.object({ jobId: JobIdSchema, format: z.enum(PREDICTION_EXPORT_FORMATS), path: z.string().min(1).optional(), summaries: z.boolean().default(false), overwrite: OverwriteSchema, download: DownloadFlagSchema }),
    z.object({ path: z.string(), rows: z.number().int().nonnegative(), downloads: DownloadsSchema }),
  ),
  'query:batch.evaluation': request(JobRef, EvaluationReportSchema),
  'command:batch.export-evaluation': request(
    z.object({ jobId: JobIdSchema, format: z.enum(EVALUATION_EXPORT_FORMATS), path: z.string().min(1).optional(), overwrite: OverwriteSchema, download: DownloadFlagSchema }),
    /** `files`: every file written (CSV: the summary and its `.confusion.csv` companion). */
    z.object({ path: z.string(), files: z.array(z.string()).default([]), downloads: DownloadsSchema }),
  ),
  /** A job (kind `export.training-set`); its result is `TrainingSetResult` (folders, skipped, failed samples). */
  'command:batch.export-training-set': request(
    z.object({
      models: z.array(z.string().min(1)).min(1),
      selection: BatchSelectionSchema,
      labels: z.enum(['megc', 'emotion']).default('megc'),
      /** A new (or empty) folder; with `overwrite`, also the folder of an earlier training-set export. */
      outDir: z.string().min(1),
      overwrite: OverwriteSchema,
    }),
    JobStartedSchema,
  ),
} as const

export const batchEvents = {
  'event:batch.progress': BatchProgressSchema,
} as const
