import { z } from 'zod'
import { DatasetSummarySchema } from '../../domain/dataset'
import { ErrorShapeSchema } from '../envelope'
import { FirstMinuteResultSchema } from './demo'
import { PredictionResultSchema } from './inference'
import { JobDoneSchema } from './jobs'
import { FlowSummarySchema, MagnifySummarySchema, SpotSummarySchema } from './motion'
import { DatasetImportResultSchema } from './project'
import { SpottingJobResultSchema } from './spotting'

/**
 * What each kind of job returns: `event:job.done` (and `query:job.outcome`) carry `result`, checked
 * against its kind's schema here, so a client uses the result itself instead of asking again.
 */
export const jobResults = {
  'motion.flow': FlowSummarySchema,
  'motion.magnify': MagnifySummarySchema,
  'motion.spot': SpotSummarySchema,
  'spotting.long': SpottingJobResultSchema,
  'dataset.import': DatasetImportResultSchema,
  'dataset.open': DatasetSummarySchema,
  'project.create-demo': FirstMinuteResultSchema,
  'project.open-dataset': FirstMinuteResultSchema,
  'export.training-set': z.object({
    folders: z.array(z.object({ modelId: z.string(), dir: z.string(), samples: z.number().int().nonnegative() })),
    skipped: z.object({ uncoded: z.number().int().nonnegative(), unlabelled: z.number().int().nonnegative() }),
    failed: z.array(z.object({ sample: z.string(), modelId: z.string(), error: ErrorShapeSchema })),
  }),
  'predict.sample': PredictionResultSchema,
  'batch.predict': z.object({ jobId: z.string(), total: z.number().int().nonnegative(), done: z.number().int().nonnegative(), failed: z.number().int().nonnegative() }),
} as const satisfies Record<string, z.ZodType>

export type JobKind = keyof typeof jobResults
/** The result type of a job kind; `unknown` for a kind outside the table. */
export type JobResultOf<K extends string> = K extends JobKind ? z.output<(typeof jobResults)[K]> : unknown

/** `event:job.done` with a completed job's result checked against its kind's schema. */
export const TypedJobDoneSchema = JobDoneSchema.superRefine((done, ctx) => {
  const schema: z.ZodType | undefined = (jobResults as Record<string, z.ZodType>)[done.kind]
  // Kinds outside the table (the contract tests' own) carry an unchecked result.
  if (!schema || done.state !== 'completed') return
  const parsed = schema.safeParse(done.result)
  if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['result'], message: `Not a ${done.kind} result: ${parsed.error.issues[0]?.message ?? ''}` })
})
