import { z } from 'zod'
import { request } from '../define'
import {
  FLOW_METHODS,
  FLOW_PARAMS,
  MAGNIFY_METHODS,
  MAGNIFY_PARAMS,
  MAX_MAGNIFY_FRAMES,
  SPOT_PARAMS,
  SPOT_SIGNAL_NAMES,
  type NumberParam,
} from './motion-params'

export * from './motion-params'

/** A number schema with the parameter's bounds, default and description. */
function numberParam(p: NumberParam) {
  let schema = p.int ? z.number().int() : z.number()
  if (p.min !== undefined) schema = schema.min(p.min)
  if (p.gt !== undefined) schema = schema.gt(p.gt)
  if (p.max !== undefined) schema = schema.max(p.max)
  return schema.describe(p.describe)
}
const param = (p: NumberParam) => numberParam(p).default(p.default).describe(p.describe)

const FrameIndex = z.number().int().nonnegative()

export const FlowRequestSchema = z.object({
  clipPath: z.string().min(1),
  from: FrameIndex,
  to: FrameIndex,
  method: z.enum(FLOW_METHODS).default('tvl1'),
  strainVariant: z.enum(['standard', 'off-tanet']).default('standard'),
  /** Longest side the frames are scaled to before the flow; null = native size. */
  maxSide: numberParam(FLOW_PARAMS.maxSide).nullable().default(FLOW_PARAMS.maxSide.default).describe(FLOW_PARAMS.maxSide.describe),
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

const IirFilterSchema = z.object({ kind: z.literal('iir'), r1: param(MAGNIFY_PARAMS.r1), r2: param(MAGNIFY_PARAMS.r2) })

export const MagnifyRequestSchema = z.object({
  clipPath: z.string().min(1),
  start: FrameIndex,
  count: z.number().int().min(2).max(MAX_MAGNIFY_FRAMES).describe('frames of the section (the pyramid of every frame is held in memory)'),
  method: z.enum(MAGNIFY_METHODS).default('eulerian'),
  alpha: param(MAGNIFY_PARAMS.alpha),
  lambdaC: param(MAGNIFY_PARAMS.lambdaC),
  levels: param(MAGNIFY_PARAMS.levels),
  chromaAttenuation: param(MAGNIFY_PARAMS.chromaAttenuation),
  filter: z
    .discriminatedUnion('kind', [IirFilterSchema, z.object({ kind: z.literal('ideal'), lowHz: z.number().positive(), highHz: z.number().positive() })])
    .default({ kind: 'iir', r1: MAGNIFY_PARAMS.r1.default, r2: MAGNIFY_PARAMS.r2.default }),
  /** Align the section on its first frame's face and crop it to this side first; null magnifies the whole frame. */
  crop: z.number().int().min(16).max(1024).nullable().default(null).describe('side of the aligned face crop (null: the whole frame)'),
})
export type MagnifyRequestInput = z.input<typeof MagnifyRequestSchema>

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

export const SpotRequestSchema = z.object({
  clipPath: z.string().min(1),
  start: FrameIndex,
  count: z.number().int().min(3).max(2000),
  /** Coded marks as clip indices; the onset is the signal's reference. Suggested when null. */
  onset: FrameIndex.nullable().default(null),
  offset: FrameIndex.nullable().default(null),
  signal: z.enum(SPOT_SIGNAL_NAMES).default('farneback'),
  side: param(SPOT_PARAMS.side),
  temporalSigma: param(SPOT_PARAMS.temporalSigma),
  /** Detect and align the face (else the whole frame, without the nose reference). */
  face: z.boolean().default(true),
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
  /** The face detector's score, null without a face. */
  faceScore: z.number().nullable(),
  /** Side of the face crop measured (null without a face). */
  side: z.number().int().positive().nullable(),
  /** The clip frame the face was searched on (the coded onset, else the section's first frame). */
  faceFrame: FrameIndex,
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
