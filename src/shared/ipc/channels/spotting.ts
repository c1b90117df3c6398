import { z } from 'zod'
import { FrameNumberSchema } from '../../domain/annotation'
import { JobStartedSchema } from './jobs'
import { request } from '../define'

/**
 * Candidate review on long videos (issue #15): `command:spotting.start` spots every interval of
 * the clip a sample belongs to (a job: progress, cancel); the candidates and the spotting curve are
 * kept in the project per clip, so every `<video>#k` sample of the clip shows them. A coder accepts
 * (a coded expression sample `<video>#k`), rejects or re-edges each candidate; the state is saved
 * at once. All frames are the dataset's frame numbers.
 */
/** A clip at least this long is a long video, spotted for candidates (a cut CASME II clip lasts under 2 s). */
export const LONG_CLIP_SECONDS = 5

export const CANDIDATE_STATES = ['pending', 'accepted', 'rejected'] as const
export type CandidateState = (typeof CANDIDATE_STATES)[number]
export const CANDIDATE_LABELS = ['expression', 'blink', 'head-motion'] as const
export type CandidateLabel = (typeof CANDIDATE_LABELS)[number]

const Id = z.number().int().positive()

export const CandidateSchema = z.object({
  id: Id,
  /** Current edges: the coder's when edited, else as spotted. */
  onset: FrameNumberSchema,
  apex: FrameNumberSchema,
  offset: FrameNumberSchema,
  spotted: z.object({ onset: FrameNumberSchema, offset: FrameNumberSchema }),
  /** Micro when the current interval lasts ≤ 500 ms (MEGC). */
  kind: z.enum(['micro', 'macro']),
  /** Blinks and head motion are shown greyed with the label as the reason. */
  label: z.enum(CANDIDATE_LABELS),
  confidence: z.number().min(0).max(1),
  /** Facial regions that moved most. */
  regions: z.array(z.string()),
  state: z.enum(CANDIDATE_STATES),
  edited: z.boolean(),
  /** The coded expression sample an accept created or coded. */
  sampleId: Id.nullable(),
})
export type Candidate = z.infer<typeof CandidateSchema>

export const SpottingRunSchema = z.object({
  datasetId: Id,
  clipPath: z.string(),
  fps: z.number().positive(),
  /** Frames analysed; fewer than the clip's when decoding stopped early (see warnings). */
  frames: z.number().int().positive(),
  firstFrame: FrameNumberSchema,
  lastFrame: FrameNumberSchema,
  /** The spotting curve (crop px), each point the largest value over `curveStep` frames from `firstFrame`. */
  curve: z.array(z.number()),
  curveStep: z.number().int().positive(),
  threshold: z.number(),
  warnings: z.array(z.string()),
  spottedAt: z.string(),
  candidates: z.array(CandidateSchema),
})
export type SpottingRun = z.infer<typeof SpottingRunSchema>

/** What a `spotting.long` job returns: how many candidates were saved, how many look like expressions. */
export const SpottingJobResultSchema = z.object({
  candidates: z.number().int().nonnegative(),
  expressions: z.number().int().nonnegative(),
  warnings: z.array(z.string()),
})

export const CandidateReviewSchema = z.discriminatedUnion('action', [
  /** Codes the candidate for `annotatorId`: onset/apex/offset prefilled on a sample `<video>#k`. */
  z.object({ action: z.literal('accept'), candidateId: Id, annotatorId: Id }),
  z.object({ action: z.literal('reject'), candidateId: Id }),
  /** Back to pending (an accepted candidate's sample and coding stay). */
  z.object({ action: z.literal('reset'), candidateId: Id }),
  z.object({ action: z.literal('edges'), candidateId: Id, onset: FrameNumberSchema, offset: FrameNumberSchema }),
])
export type CandidateReview = z.infer<typeof CandidateReviewSchema>

const ScoresSchema = z.object({
  tp: z.number().int().nonnegative(),
  fp: z.number().int().nonnegative(),
  fn: z.number().int().nonnegative(),
  precision: z.number().nullable(),
  recall: z.number().nullable(),
  f1: z.number().nullable(),
})
const SpotReportSchema = z.object({ micro: ScoresSchema, macro: ScoresSchema, overall: ScoresSchema })

export const SpottingEvaluationSchema = z.object({
  iou: z.number(),
  /** How the videos are pooled, in words. */
  pooling: z.string(),
  /** What counts as truth and as a prediction, in words. */
  basis: z.string(),
  videos: z.array(z.object({ dataset: z.string(), video: z.string(), truths: z.number().int(), predictions: z.number().int(), report: SpotReportSchema })),
  datasets: z.array(z.object({ dataset: z.string(), videos: z.number().int(), report: SpotReportSchema })),
  pooled: SpotReportSchema,
  /** Long videos not spotted yet (counted as all missed). */
  unpredicted: z.array(z.string()),
})
export type SpottingEvaluationView = z.infer<typeof SpottingEvaluationSchema>

export const spottingRequests = {
  'command:spotting.start': request(z.object({ sampleId: Id }), JobStartedSchema),
  /** The clip's last spotting run with its candidates; null before the first. */
  'query:spotting.candidates': request(z.object({ sampleId: Id }), SpottingRunSchema.nullable()),
  'command:spotting.review': request(CandidateReviewSchema, z.object({ candidate: CandidateSchema })),
  /** MEGC evaluation of the project's long videos: coded expressions against spotted candidates. */
  'query:spotting.evaluation': request(z.object({ iou: z.number().gt(0).max(1).default(0.5) }), SpottingEvaluationSchema),
} as const

export const spottingEvents = {
  /** A clip's candidates changed (spotted again, reviewed): views showing it reload. */
  'event:spotting.changed': z.object({ datasetId: Id, clipPath: z.string() }),
} as const
