/**
 * The table of vision tasks a worker of the vision pool can run: `{ name → function }`.
 *
 * Each task takes one structured-clonable params object (typed arrays inside travel by transfer)
 * and a context for progress, and returns a structured-clonable result whose typed-array
 * buffers the worker transfers back. To add a task, append an entry here; the pool's `run()`
 * types its params and result from this table.
 */
import type { RgbImage } from '../vision/color'
import type { FlowMethod, MagnifyMethod, SpotSignalName } from '@shared/ipc/channels/motion'
import type { FlowField, GrayImage } from '../vision/image'
import { computeFlow, magnifyMethods, spotSignals, type MagnifyOptions } from '../vision/methods'
import { warpSimilarity, type SimilarityTransform } from '../vision/face/align'
import { loadFaceDetector, type DetectedFace, type FaceDetectOptions } from '../vision/face/detector'
import { spotApex, type SpotOptions, type SpotResult } from '../vision/spotting'
import { faceCrop, pairMotion, type GrayFrame8, type RegionLayout } from '../vision/interval-spotting'
import { opticalStrain, type OpticalStrainOptions } from '../vision/strain'
import { isdf, normalizeLength, type TemporalMethod } from '../vision/temporal'
import {
  assembleTensor,
  buildRecipe,
  prepareClip,
  type AssembleParams,
  type BuildParams,
  type BuiltRecipe,
  type PrepareParams,
  type PreparedClip,
} from '../vision/recipe/stages'

export interface VisionTaskContext {
  /** Reports progress to the caller (forwarded as a message; cheap, but call it per step, not per pixel). */
  progress(done: number, total: number): void
}

/** A frame pair, the flow method (`vision/methods.ts`) and its options. */
export interface FlowPairParams {
  method: FlowMethod
  i0: GrayImage
  i1: GrayImage
  options?: Record<string, unknown>
}

export const visionTasks = {
  flow: (p: FlowPairParams, ctx: VisionTaskContext): FlowField => computeFlow(p.method, p.i0, p.i1, p.options, (done, total) => ctx.progress(done, total)),
  strain: (p: { flow: FlowField; options?: Partial<OpticalStrainOptions> }): GrayImage => opticalStrain(p.flow, p.options),
  magnify: (p: { frames: RgbImage[]; method: MagnifyMethod; options: MagnifyOptions }): RgbImage[] => magnifyMethods[p.method].magnify(p.frames, p.options),
  /**
   * Faces on one image, most confident first. face-api on tfjs-wasm takes 50–130 ms per image, so
   * detection runs here, never on the main event loop; a worker loads the nets on its first face task.
   */
  faces: async (p: { image: GrayImage | RgbImage; options?: FaceDetectOptions }): Promise<DetectedFace[]> => (await loadFaceDetector()).detectAll(p.image, p.options),
  /** Same similarity transform and crop for every frame (onset-frame face alignment). */
  align: (p: { frames: GrayImage[]; transform: SimilarityTransform; side: number }): GrayImage[] =>
    p.frames.map((f) => warpSimilarity(f, p.transform, p.side)),
  /** Apex spotting with a named signal of `spotSignals` (functions cannot cross the worker boundary); without one, `options.signal` over Farnebäck flow. */
  spot: (p: { frames: GrayImage[]; options?: Omit<SpotOptions, 'flow' | 'strain'>; signal?: SpotSignalName }): SpotResult => {
    const entry = p.signal ? spotSignals[p.signal] : undefined
    const method: FlowMethod = (entry && 'flow' in entry ? entry.flow : undefined) ?? 'farneback'
    return spotApex(p.frames, {
      ...p.options,
      ...(entry ? { signal: entry.signal } : {}),
      flow: (a, b) => computeFlow(method, a, b),
      strain: (f) => opticalStrain(f),
    })
  },
  /** Long-video spotting, stage 1: aligned, blurred face crops written into slots of a shared ring. */
  'spot-crops': (p: { frames: GrayFrame8[]; slots: number[]; ring: SharedArrayBuffer; transform: SimilarityTransform; side: number; sigma: number }): void => {
    const area = p.side * p.side
    p.frames.forEach((frame, i) => new Float32Array(p.ring, p.slots[i]! * area * 4, area).set(faceCrop(frame, p.transform, p.side, p.sigma).data))
  },
  /** Long-video spotting, stage 2: `pairMotion` of [current slot, reference slot] pairs of the ring, rows concatenated. */
  'spot-pairs': (p: { pairs: [number, number][]; ring: SharedArrayBuffer; side: number; layout: RegionLayout }): Float32Array => {
    const area = p.side * p.side
    const crop = (slot: number): GrayImage => ({ width: p.side, height: p.side, data: new Float32Array(p.ring, slot * area * 4, area) })
    const stride = p.layout.regions.length + 1
    const out = new Float32Array(p.pairs.length * stride)
    p.pairs.forEach(([cur, ref], i) => out.set(pairMotion(crop(cur), crop(ref), p.layout), i * stride))
    return out
  },
  isdf: (p: { frames: GrayImage[]; onset: number }): GrayImage[] => isdf(p.frames, p.onset),
  normalizeLength: (p: { frames: GrayImage[]; n: number; method: TemporalMethod }): GrayImage[] => normalizeLength(p.frames, p.n, p.method),
  /** A model card's recipe, all stages of one sample (inference input building: one task per sample). */
  'recipe-build': (p: BuildParams): BuiltRecipe => buildRecipe(p),
  /** A model card's recipe stages around the flow, for the stages the caches did not answer. */
  'recipe-prepare': (p: PrepareParams): PreparedClip => prepareClip(p),
  'recipe-assemble': (p: AssembleParams): Float32Array => assembleTensor(p),
} satisfies Record<string, (params: never, ctx: VisionTaskContext) => unknown>

export type VisionTaskName = keyof typeof visionTasks
export type VisionTaskParams<N extends VisionTaskName> = Parameters<(typeof visionTasks)[N]>[0]
export type VisionTaskResult<N extends VisionTaskName> = Awaited<ReturnType<(typeof visionTasks)[N]>>

/** Buffers of all typed arrays reachable in `value` (own enumerable properties, arrays), for a transfer list. SharedArrayBuffers are left out. */
export function collectTransferables(value: unknown, out: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (depth > 8 || value === null || typeof value !== 'object') return [...out]
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.buffer.byteLength > 0) out.add(value.buffer)
  } else if (value instanceof ArrayBuffer) {
    if (value.byteLength > 0) out.add(value)
  } else if (Array.isArray(value)) {
    for (const item of value) collectTransferables(item, out, depth + 1)
  } else {
    for (const item of Object.values(value)) collectTransferables(item, out, depth + 1)
  }
  return [...out]
}
