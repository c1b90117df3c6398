import { z } from 'zod'
import { ErrorShapeSchema } from '../envelope'
import { request } from '../define'

/**
 * Job protocol: a `command:` that starts long work returns `{ jobId }`; then
 * `event:job.progress` (done/total/ETA), `event:job.item-error` per failed item
 * (the job goes on), and exactly one `event:job.done`. `command:job.cancel` stops it.
 */
export const JobIdSchema = z.string().min(1)

export const JobStateSchema = z.enum(['queued', 'running', 'paused', 'completed', 'cancelled', 'failed'])
export type JobState = z.infer<typeof JobStateSchema>

export const JobStartedSchema = z.object({ jobId: JobIdSchema })

export const JobProgressSchema = z.object({
  jobId: JobIdSchema,
  kind: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Estimated milliseconds left; null until two items have finished. */
  etaMs: z.number().nonnegative().nullable(),
  /** Items per second over the job so far. */
  throughput: z.number().nonnegative().nullable(),
  message: z.string().optional(),
})
export type JobProgress = z.infer<typeof JobProgressSchema>

export const JobItemErrorSchema = z.object({
  jobId: JobIdSchema,
  item: z.string(),
  error: ErrorShapeSchema,
})
export type JobItemError = z.infer<typeof JobItemErrorSchema>

export const JobDoneSchema = z.object({
  jobId: JobIdSchema,
  kind: z.string(),
  state: z.enum(['completed', 'cancelled', 'failed']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  itemErrors: z.number().int().nonnegative(),
  error: ErrorShapeSchema.optional(),
  result: z.unknown().optional(),
})
export type JobDone = z.infer<typeof JobDoneSchema>

export const JobSummarySchema = z.object({
  jobId: JobIdSchema,
  kind: z.string(),
  state: JobStateSchema,
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  itemErrors: z.number().int().nonnegative(),
  startedAt: z.string(),
})
export type JobSummary = z.infer<typeof JobSummarySchema>

export const jobRequests = {
  'command:job.cancel': request(z.object({ jobId: JobIdSchema }), z.object({ cancelled: z.boolean() })),
  'query:job.list': request(z.object({}), z.array(JobSummarySchema)),
  /** A job's `event:job.done` again (null while it runs): a client that lost its event stream catches up with it. */
  'query:job.outcome': request(z.object({ jobId: JobIdSchema }), JobDoneSchema.nullable()),
} as const

export const jobEvents = {
  'event:job.progress': JobProgressSchema,
  'event:job.item-error': JobItemErrorSchema,
  'event:job.done': JobDoneSchema,
} as const
