import { z } from 'zod'
import { request } from '../define'

export const FLOW_METHODS = ['tvl1', 'farneback', 'lk'] as const
export type FlowMethod = (typeof FLOW_METHODS)[number]
export const MAGNIFY_METHODS = ['eulerian', 'riesz'] as const
export type MagnifyMethod = (typeof MAGNIFY_METHODS)[number]

const FrameIndex = z.number().int().nonnegative()

export const FlowRequestSchema = z.object({
  clipPath: z.string().min(1),
  from: FrameIndex,
  to: FrameIndex,
  method: z.enum(FLOW_METHODS).default('tvl1'),
  strainVariant: z.enum(['standard', 'off-tanet']).default('standard'),
  /** Longest side the frames are scaled to before the flow; null = native size. */
  maxSide: z.number().int().min(16).max(4096).nullable().default(320),
})

export const FlowSummarySchema = z.object({
  flowId: z.string(),
  clipPath: z.string(),
  from: FrameIndex,
  to: FrameIndex,
  method: z.enum(FLOW_METHODS),
  strainVariant: z.enum(['standard', 'off-tanet']),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  sourceWidth: z.number().int().positive(),
  sourceHeight: z.number().int().positive(),
  /** Flow magnitude statistics in px/frame at the computed size. */
  stats: z.object({ mean: z.number(), max: z.number(), median: z.number(), p95: z.number() }),
  strain: z.object({ mean: z.number(), max: z.number() }),
  computeMs: z.number().int().nonnegative(),
})
export type FlowSummary = z.infer<typeof FlowSummarySchema>

export const MagnifyRequestSchema = z.object({
  clipPath: z.string().min(1),
  start: FrameIndex,
  count: z.number().int().min(2),
  method: z.enum(MAGNIFY_METHODS).default('eulerian'),
  alpha: z.number().min(0).max(100).default(10),
  lambdaC: z.number().positive().default(16),
  filter: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('iir'), r1: z.number().gt(0).max(1).default(0.4), r2: z.number().gt(0).max(1).default(0.05) }),
      z.object({ kind: z.literal('ideal'), lowHz: z.number().positive(), highHz: z.number().positive() }),
    ])
    .default({ kind: 'iir', r1: 0.4, r2: 0.05 }),
})

export const MagnifySummarySchema = z.object({
  magnifyId: z.string(),
  clipPath: z.string(),
  start: FrameIndex,
  count: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  method: z.enum(MAGNIFY_METHODS),
  alpha: z.number(),
})
export type MagnifySummary = z.infer<typeof MagnifySummarySchema>

export const SPOT_SIGNAL_NAMES = ['farneback', 'difference', 'translation', 'tvl1', 'strain'] as const
export type SpotSignalName = (typeof SPOT_SIGNAL_NAMES)[number]

export const SpotRequestSchema = z.object({
  clipPath: z.string().min(1),
  start: FrameIndex,
  count: z.number().int().min(3).max(2000),
  /** Coded marks as clip indices; the onset is the signal's reference. Suggested when null. */
  onset: FrameIndex.nullable().default(null),
  offset: FrameIndex.nullable().default(null),
  signal: z.enum(SPOT_SIGNAL_NAMES).default('farneback'),
})

export const SpotSummarySchema = z.object({
  spotId: z.string(),
  clipPath: z.string(),
  start: FrameIndex,
  count: z.number().int().positive(),
  signal: z.enum(SPOT_SIGNAL_NAMES),
  /** Clip indices (not dataset frame numbers). */
  onset: FrameIndex,
  apex: FrameIndex,
  offset: FrameIndex,
  onsetSuggested: z.boolean(),
  offsetSuggested: z.boolean(),
  /** 0–1: how clearly the apex peak stands above the frame-to-frame noise. */
  confidence: z.number(),
  /** Smoothed motion curve, one value per frame of the section (px of displacement for flow/difference signals). */
  curve: z.array(z.number()),
  peaks: z.array(z.object({ index: FrameIndex, value: z.number(), prominence: z.number(), confidence: z.number() })),
  /** False when no face was found: the whole frame was measured, without the nose reference. */
  faceFound: z.boolean(),
})
export type SpotSummary = z.infer<typeof SpotSummarySchema>

const PointSchema = z.object({ x: z.number(), y: z.number() })

export const FaceSummarySchema = z.object({
  faceId: z.string(),
  found: z.boolean(),
  index: FrameIndex,
  /** Side of the aligned crop served at `aligned/<faceId>.png`. */
  side: z.number().int().positive(),
  score: z.number(),
  box: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).nullable(),
  /** 68 landmarks in source-frame pixels. */
  landmarks: z.array(PointSchema),
  /** Facial regions (named as in the AU catalogue) in source-frame pixels. */
  regions: z.array(z.object({ id: z.string(), region: z.string(), side: z.string(), reference: z.boolean(), polygon: z.array(PointSchema) })),
})
export type FaceSummary = z.infer<typeof FaceSummarySchema>

/**
 * Motion views. Both commands start a job (heavy, cancellable) and return its id with the
 * deterministic id of the result; the result's pixels are then read from the media routes
 * `flow/<flowId>/{color,magnitude,strain,legend}.png`, `flow/<flowId>/field.f32` and
 * `magnified/<magnifyId>/<offset>.png`, `aligned/<faceId>.png`. Results are cached per (clip, parameters).
 */
export const motionRequests = {
  'command:motion.flow': request(FlowRequestSchema, z.object({ jobId: z.string(), flowId: z.string() })),
  'query:motion.flow': request(z.object({ flowId: z.string() }), FlowSummarySchema),
  'command:motion.magnify': request(MagnifyRequestSchema, z.object({ jobId: z.string(), magnifyId: z.string() })),
  'query:motion.magnified': request(z.object({ magnifyId: z.string() }), MagnifySummarySchema),
  'command:motion.spot': request(SpotRequestSchema, z.object({ jobId: z.string(), spotId: z.string() })),
  'query:motion.spot': request(z.object({ spotId: z.string() }), SpotSummarySchema),
  /** Face detection on one frame (about a quarter of a second): landmarks, AU regions, and the aligned crop's id. */
  'query:motion.face': request(z.object({ clipPath: z.string().min(1), index: FrameIndex, side: z.number().int().min(16).max(512).default(112) }), FaceSummarySchema),
} as const
