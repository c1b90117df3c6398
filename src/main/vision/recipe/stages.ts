/**
 * The per-pixel stages of a card's recipe as pure functions of structured-clonable data, so the
 * vision worker pool runs them (task `recipe-build`: all of a sample's stages in one task; tasks
 * `recipe-prepare`, `recipe-assemble` for the stages a cache did not answer) and the main event
 * loop only moves buffers: prepare = face alignment (when the recipe asks) → temporal
 * normalisation → colour → resize → magnification,
 * assemble = one plane per input channel from the prepared frames and flow fields →
 * normalisation. Order and rounding follow `models/preprocess.py` (see `opencv-exact.ts`).
 */
import type { ModelCard } from '@shared/domain/model-card'
import type { FlowMethod } from '@shared/ipc/channels/motion'
import { warpSimilarity, type SimilarityTransform } from '../face/align'
import { createFlow, gaussianBlur, type FlowField, type GrayImage } from '../image'
import { magnifyEulerian } from '../magnify-eulerian'
import { magnifyRiesz } from '../magnify-riesz'
import { normalizeLength } from '../temporal'
import { computeFlow } from '../methods'
import {
  fixedMeanStd,
  framePlanes,
  grayFromPixels,
  grayFromPlanes,
  minmaxChannels,
  poolFlow,
  quantise,
  resizeBicubicOpenCv,
  rintUint8,
  standardiseChannels,
  strainReflect101,
  type PixelFrame,
} from './opencv-exact'

type Preprocessing = ModelCard['preprocessing']

/** Input channels the studio can build. */
export const BUILDABLE_CHANNELS = ['u', 'v', 'strain', 'isdf', 'r', 'g', 'b', 'gray'] as const

export interface PrepareParams {
  /** Decoded frames of the selected clip positions, in order. */
  frames: PixelFrame[]
  preprocessing: Preprocessing
  /** `aligned-face-crop`: the onset frame's similarity (frame → crop), applied to every frame. */
  alignment?: { transform: SimilarityTransform; side: number }
}

export interface PreparedClip {
  /** Per frame: its planes (R, G, B or one gray plane) at the working size, uint8 values. */
  frames: GrayImage[][]
  /** Per frame: its gray plane (ISDF, the gray channel, and the flow unless `flowGray` is given). */
  gray: GrayImage[]
  /** Per frame: its gray plane at the flow's `computeSize`, when that differs from the working size. */
  flowGray?: GrayImage[]
}

/**
 * The factor by which the recipe's flow is pooled to the input size (1: computed at the input
 * size). The input builder refuses cards whose `flow.computeSize` is not an integer multiple.
 */
export function flowPoolFactor(pre: Preprocessing): number {
  const compute = pre.flow?.computeSize
  return compute ? compute[1] / pre.crop.size[1] : 1
}

export function prepareClip({ frames: decoded, preprocessing: pre, alignment }: PrepareParams): PreparedClip {
  const length = pre.frames.temporalLength
  // Gray recipes that neither align nor resample in time convert the decoded pixels to gray
  // directly (same numbers), without three full-size float planes per frame.
  const grayFirst = pre.crop.colour === 'gray' && !alignment && length === null
  // Alignment first, with one transform for the whole clip (motion inside the clip is kept), rounded like a frame.
  const planes = decoded.map((frame) => {
    if (grayFirst) return [grayFromPixels(frame)]
    const p = framePlanes(frame)
    return alignment ? p.map((plane) => quantise(warpSimilarity(plane, alignment.transform, alignment.side))) : p
  })
  let planesPerFrame = planes
  if (length !== null) {
    const method = pre.frames.temporalInterpolation ?? 'linear'
    const channels = planes[0]!.length
    const perChannel = Array.from({ length: channels }, (_, c) => normalizeLength(planes.map((f) => f[c]!), length, method).map(quantise))
    planesPerFrame = Array.from({ length }, (_, t) => perChannel.map((seq) => seq[t]!))
  }
  const [height, width] = pre.crop.size
  let frames = planesPerFrame.map((p) => {
    const coloured = pre.crop.colour === 'gray' ? [grayFromPlanes(p)] : p.length === 1 ? [p[0]!, p[0]!, p[0]!] : p
    return coloured.map((plane) => quantise(resizeBicubicOpenCv(plane, width, height)))
  })
  if (pre.magnification) frames = magnify(frames, pre.magnification)
  const clip: PreparedClip = { frames, gray: frames.map(grayFromPlanes) }
  if (flowPoolFactor(pre) !== 1) {
    // The flow's own frames: gray, then resized to the compute size (preprocess: resize(gray(frame))).
    const [flowHeight, flowWidth] = pre.flow!.computeSize!
    let flowGray = planesPerFrame.map((p) => [quantise(resizeBicubicOpenCv(grayFromPlanes(p), flowWidth, flowHeight))])
    if (pre.magnification) flowGray = magnify(flowGray, pre.magnification)
    clip.flowGray = flowGray.map((p) => p[0]!)
  }
  return clip
}

/** The two frames the flow of a time step is computed on: the flow frames when the recipe has them. */
export function flowFrames(clip: PreparedClip, [ref, t]: [number, number]): [GrayImage, GrayImage] {
  const gray = clip.flowGray ?? clip.gray
  return [gray[ref]!, gray[t]!]
}

/** A time step's flow as the model sees it: the computed field pooled to the input size; null (step 0 of a sequence) is zero flow. */
export function inputFlow(field: FlowField | null, pre: Preprocessing): FlowField {
  return field ? poolFlow(field, flowPoolFactor(pre)) : createFlow(pre.crop.size[1], pre.crop.size[0])
}

/**
 * The frame pairs [reference, frame] of each flow time step of a prepared clip of `frameCount`
 * frames: onset–apex recipes one; sequences referenced to the onset one per frame (null: step 0,
 * zero flow); sequences between neighbours one per pair of neighbours (T frames give T − 1 steps,
 * ASTNet's "11 frames … an optical flow sequence of 10 frames"; preprocess.flows_between_neighbours).
 */
export function flowPairs(pre: Preprocessing, frameCount: number): ([number, number] | null)[] {
  if (pre.frames.selection === 'onset-apex') return [[0, 1]]
  if (betweenNeighbours(pre)) return Array.from({ length: frameCount - 1 }, (_, t) => [t, t + 1])
  return Array.from({ length: frameCount }, (_, t) => (t === 0 ? null : [0, t]))
}

/** A sequence whose flow is taken between neighbouring frames: its time step t ends at frame t + 1. */
function betweenNeighbours(pre: Preprocessing): boolean {
  return pre.frames.selection === 'onset-to-offset' && pre.flow?.reference === 'previous'
}

export interface BuildParams extends PrepareParams {
  channels: string[]
  /**
   * The flows the channels need (none: null): method, options and, per time step of `flowPairs`,
   * the field when a cache already has it, or null to compute it here.
   */
  flow: { method: FlowMethod; options: Record<string, unknown>; known: (FlowField | null)[] } | null
}

export interface BuiltRecipe {
  clip: PreparedClip
  /** Per flow time step: the field computed here, or null where it was given (`known`). */
  flows: (FlowField | null)[]
  tensor: Float32Array
}

/** prepare → flows → assemble, in one go (one worker task per sample). */
export function buildRecipe(params: BuildParams): BuiltRecipe {
  const clip = prepareClip(params)
  const { flow, preprocessing: pre } = params
  const computed: (FlowField | null)[] = []
  const flows = !flow
    ? []
    : flowPairs(pre, clip.gray.length).map((pair, i) => {
        const known = flow.known[i]
        if (known) {
          computed.push(null)
          return known
        }
        const field = inputFlow(pair && computeFlow(flow.method, ...flowFrames(clip, pair), flow.options), pre)
        computed.push(field)
        return field
      })
  return { clip, flows: computed, tensor: assembleTensor({ channels: params.channels, preprocessing: pre, clip, flows }) }
}

export interface AssembleParams {
  channels: string[]
  preprocessing: Preprocessing
  clip: PreparedClip
  /** One flow field per time step (onset–apex recipes: one); empty when no channel needs flow. */
  flows: FlowField[]
}

/** The input tensor without its batch axis: channel-major, then time step, then pixels. */
export function assembleTensor({ channels, preprocessing: pre, clip, flows }: AssembleParams): Float32Array {
  const [height, width] = pre.crop.size
  const plane = width * height
  const shift = betweenNeighbours(pre) ? 1 : 0
  const steps = pre.frames.selection === 'onset-apex' ? 1 : clip.frames.length - shift
  const out = new Float32Array(channels.length * steps * plane)
  channels.forEach((name, c) => {
    for (let t = 0; t < steps; t++) out.set(channelPlane(name, t, t + shift, clip, flows, pre), (c * steps + t) * plane)
  })
  normalise(out, channels.length, pre.normalisation)
  return out
}

/** Channel `name` at time step `t`, whose frame is `frame` (the step's own, or the one its flow ends at). */
function channelPlane(name: string, t: number, frame: number, clip: PreparedClip, flows: FlowField[], pre: Preprocessing): Float32Array {
  switch (name) {
    case 'u':
      return flows[t]!.u
    case 'v':
      return flows[t]!.v
    case 'strain':
      return strainReflect101(flows[t]!, pre.strain?.variant ?? 'standard').data
    case 'isdf': {
      // ISDF: gray(frame_t) − gray(frame_0) on the prepared frames (preprocess.isdf).
      const g0 = clip.gray[0]!.data
      const gt = clip.gray[frame]!.data
      const d = new Float32Array(gt.length)
      for (let i = 0; i < d.length; i++) d[i] = gt[i]! - g0[i]!
      return d
    }
    case 'r':
    case 'g':
    case 'b': {
      const src = clip.frames[frame]![{ r: 0, g: 1, b: 2 }[name]]!.data
      const d = new Float32Array(src.length)
      for (let i = 0; i < d.length; i++) d[i] = src[i]! / 255
      return d
    }
    case 'gray':
      return clip.gray[frame]!.data
    default:
      throw new RangeError(`input channel "${name}" is not buildable`)
  }
}

function normalise(tensor: Float32Array, channels: number, n: Preprocessing['normalisation']): void {
  switch (n.method) {
    case 'none':
      return
    case 'per-sample-channel-standardise':
      return standardiseChannels(tensor, channels, n.epsilon)
    case 'per-sample-channel-minmax':
      return minmaxChannels(tensor, channels, n.range, n.epsilon)
    case 'fixed-mean-std':
      return fixedMeanStd(tensor, channels, n.mean, n.std)
  }
}

function magnify(frames: GrayImage[][], m: NonNullable<Preprocessing['magnification']>): GrayImage[][] {
  const channels = frames[0]!.length
  const perChannel = Array.from({ length: channels }, (_, c) => frames.map((f) => f[c]!))
  const magnified = perChannel.map((seq) => {
    switch (m.method) {
      case 'onset-difference-linear':
        // preprocess.magnify_onset_difference: I_t + α·G_σ(I_t − I_0), rounded to uint8.
        return seq.map((img) => {
          const diff = new Float32Array(img.data.length)
          for (let i = 0; i < diff.length; i++) diff[i] = img.data[i]! - seq[0]!.data[i]!
          const blurred = gaussianBlur({ width: img.width, height: img.height, data: diff }, m.sigma ?? 1)
          const out = new Float32Array(diff.length)
          for (let i = 0; i < out.length; i++) out[i] = rintUint8(img.data[i]! + m.alpha * blurred.data[i]!)
          return { width: img.width, height: img.height, data: out }
        })
      case 'eulerian-linear-iir':
        return magnifyEulerian(seq, { alpha: m.alpha }).map(quantise)
      case 'phase-based':
        return magnifyRiesz(seq, { alpha: m.alpha }).map(quantise)
    }
  })
  return frames.map((_, t) => perChannel.map((__, c) => magnified[c]![t]!))
}
