/**
 * Builds a model's input tensor from a sample by following its card's recipe step by step, with
 * the vision code the viewers use (TV-L1, Lucas–Kanade, Farnebäck, strain, temporal
 * normalisation, magnification) and the OpenCV-exact pixel steps of `recipe-ops.ts`. Order (as in
 * `models/preprocess.py`): select frames → temporal normalisation (rounded to uint8) → colour →
 * resize to the working size (rounded) → magnification (rounded) → flow from the reference frame
 * → one plane stack per input channel (u, v, strain, isdf, r, g, b, gray) → normalisation.
 *
 * Prepared frames, flow fields and finished tensors are cached per (sample, recipe stage), so a
 * second model with the same recipe reuses the flow (see `StageCache`).
 */
import type { ModelCard } from '@shared/domain/model-card'
import { StudioError } from '@shared/ipc'
import { createFlow, gaussianBlur, type FlowField, type GrayImage } from '../../vision/image'
import { magnifyEulerian } from '../../vision/magnify-eulerian'
import { magnifyRiesz } from '../../vision/magnify-riesz'
import { normalizeLength } from '../../vision/temporal'
import {
  fixedMeanStd,
  framePlanes,
  grayFromPlanes,
  minmaxChannels,
  quantise,
  resizeBicubicOpenCv,
  rintUint8,
  standardiseChannels,
  strainReflect101,
  type PixelFrame,
} from './recipe-ops'
import type { ApexSource, InferenceSample } from './sample'
import { StageCache, stageKey, type CacheStats } from './stage-cache'
import type { FlowMethod, VisionCompute } from './vision-compute'

type Preprocessing = ModelCard['preprocessing']

export interface BuiltInput {
  data: Float32Array
  /** [1, ...card input shape without batch]. */
  dims: number[]
  /** Digest of everything in the card that decides the tensor: equal ids give equal tensors. */
  recipeId: string
  /** Clip positions of the frames used, after apex resolution (before temporal normalisation). */
  frameIndices: number[]
  apex: { index: number; source: ApexSource } | null
  /** The first frame as the model saw it (working size, after colour conversion): the overlay's base image. */
  faceCrop: PixelFrame
  /** Things the user should know about this input (e.g. frames interpolated up). */
  warnings: string[]
  preprocessMs: number
  /** True when the finished tensor came from the cache. */
  cached: boolean
}

export interface BuildOptions {
  signal?: AbortSignal
}

export interface InputBuilderOptions {
  compute: VisionCompute
  /** Memory budget of the stage cache. Default 512 MiB. */
  memoryBytes?: number
  /** On-disk flow cache (e.g. `<project>/cache/inference`); none when null. */
  diskCacheDir?: string | null
  /** Automatic apex spotting for samples without an apex; the middle frame is used when absent or when it finds none. */
  spotApex?: (sample: InferenceSample, signal?: AbortSignal) => Promise<number | null>
}

/** One prepared frame: its planes (R, G, B or a single gray plane) at the working size, uint8 values. */
interface PreparedFrame {
  planes: GrayImage[]
}

const PARAM_TEXT_KEYS = new Set(['description', 'steps', 'reference'])

/** The recipe without its prose, for cache keys and recipe ids. */
function recipeEssentials(card: ModelCard): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip)
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !PARAM_TEXT_KEYS.has(k))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, strip(v)]),
      )
    }
    return value
  }
  return { input: strip({ kind: card.input.kind, shape: card.input.shape, layout: card.input.layout, channels: card.input.channels }), preprocessing: strip(card.preprocessing) }
}

export function recipeIdOf(card: ModelCard): string {
  return stageKey('tensor', recipeEssentials(card)).replace(/^tensor-/, 'recipe-').slice(0, 23)
}

export class InputBuilder {
  private readonly cache: StageCache

  constructor(private readonly options: InputBuilderOptions) {
    this.cache = new StageCache(options.memoryBytes ?? 512 * 1024 * 1024, options.diskCacheDir ?? null)
  }

  /** Cache hits/misses per stage (`hits.flow` counts reused flow fields). */
  cacheStats(): CacheStats {
    return this.cache.stats()
  }

  async buildInput(sample: InferenceSample, card: ModelCard, { signal }: BuildOptions = {}): Promise<BuiltInput> {
    const started = performance.now()
    const pre = card.preprocessing
    const recipeId = recipeIdOf(card)
    checkSupported(card)
    const warnings: string[] = []
    const { indices, apex } = await this.selectFrames(sample, pre, warnings, signal)
    const [height, width] = pre.crop.size
    const length = pre.frames.temporalLength ?? indices.length

    const framesKey = stageKey('frames', { sample: sample.key, indices, length, frames: pre.frames, crop: { ...pre.crop, description: undefined }, magnification: pre.magnification && { ...pre.magnification, description: undefined } })
    const frames = await this.cache.get('frames', framesKey, preparedBytes, () => this.prepareFrames(sample, indices, pre, signal))
    const faceCrop = toPixelFrame(frames[0]!, width, height)

    const tensorKey = stageKey('tensor', { frames: framesKey, recipe: recipeId })
    let cached = true
    const data = await this.cache.get(
      'tensor',
      tensorKey,
      (t) => t.byteLength,
      async () => {
        cached = false
        return this.assemble(card, frames, framesKey, signal)
      },
    )
    const dims = [1, ...card.input.shape.slice(1)]
    if (data.length !== dims.slice(1).reduce((a, b) => a * b, 1)) {
      throw new StudioError('model/mismatch', `Recipe of "${card.id}" produced ${data.length} values, the input [${dims.join(', ')}] needs ${dims.reduce((a, b) => a * b, 1)}`)
    }
    return { data, dims, recipeId, frameIndices: indices, apex, faceCrop, warnings, preprocessMs: performance.now() - started, cached }
  }

  private async selectFrames(sample: InferenceSample, pre: Preprocessing, warnings: string[], signal?: AbortSignal): Promise<{ indices: number[]; apex: BuiltInput['apex'] }> {
    const { onsetIndex: onset, offsetIndex: offset, frameCount } = sample
    if (!(Number.isInteger(onset) && Number.isInteger(offset) && onset >= 0 && onset < offset)) {
      throw new StudioError('invalid-input', `Sample ${sample.key}: onset ${onset} and offset ${offset} do not make an interval`)
    }
    if (offset >= frameCount) {
      throw new StudioError('media/missing-frames', `Sample ${sample.key}: offset frame ${offset} is past the clip's last frame ${frameCount - 1}`)
    }
    if (pre.frames.selection === 'onset-to-offset') {
      const indices = Array.from({ length: offset - onset + 1 }, (_, i) => onset + i)
      const length = pre.frames.temporalLength
      if (length !== null && indices.length < length) {
        warnings.push(`The clip has ${indices.length} frames from onset to offset; the model takes ${length}, so frames were interpolated (as in training).`)
      }
      return { indices, apex: null }
    }
    const apex = await this.resolveApex(sample, signal)
    if (apex.source !== 'annotated') {
      warnings.push(apex.source === 'spotted' ? `No apex coded: frame ${apex.index} found by spotting was used.` : `No apex coded: the middle frame ${apex.index} between onset and offset was used.`)
    }
    return { indices: [onset, apex.index], apex }
  }

  private async resolveApex(sample: InferenceSample, signal?: AbortSignal): Promise<{ index: number; source: ApexSource }> {
    const { onsetIndex: onset, offsetIndex: offset, apexIndex } = sample
    if (apexIndex !== null) {
      if (apexIndex <= onset || apexIndex > offset) {
        throw new StudioError('invalid-input', `Sample ${sample.key}: apex ${apexIndex} is not after onset ${onset} and within offset ${offset}`)
      }
      return { index: apexIndex, source: 'annotated' }
    }
    const spotted = this.options.spotApex ? await this.options.spotApex(sample, signal) : null
    if (spotted !== null && spotted > onset && spotted <= offset) return { index: spotted, source: 'spotted' }
    return { index: Math.round((onset + offset) / 2), source: 'middle-frame' }
  }

  private async prepareFrames(sample: InferenceSample, indices: number[], pre: Preprocessing, signal?: AbortSignal): Promise<PreparedFrame[]> {
    const decoded: GrayImage[][] = []
    let size: [number, number] | null = null
    for (const index of indices) {
      signal?.throwIfAborted()
      let frame: PixelFrame
      try {
        frame = await sample.readFrame(index, signal)
      } catch (error) {
        if (error instanceof StudioError) throw error
        if (signal?.aborted) throw error
        throw new StudioError('media/corrupt', `Sample ${sample.key}: frame ${index} cannot be decoded (${(error as Error).message})`)
      }
      if (size && (frame.width !== size[0] || frame.height !== size[1])) {
        throw new StudioError('media/corrupt', `Sample ${sample.key}: frame ${index} is ${frame.width}×${frame.height}, earlier frames ${size[0]}×${size[1]}`)
      }
      size = [frame.width, frame.height]
      decoded.push(framePlanes(frame))
    }
    const length = pre.frames.temporalLength
    let planesPerFrame = decoded
    if (length !== null) {
      const method = pre.frames.temporalInterpolation ?? 'linear'
      const channels = decoded[0]!.length
      const perChannel = Array.from({ length: channels }, (_, c) => normalizeLength(decoded.map((f) => f[c]!), length, method).map(quantise))
      planesPerFrame = Array.from({ length }, (_, t) => perChannel.map((seq) => seq[t]!))
    }
    const [height, width] = pre.crop.size
    let frames: GrayImage[][] = planesPerFrame.map((planes) => {
      const coloured = pre.crop.colour === 'gray' ? [grayFromPlanes(planes)] : planes.length === 1 ? [planes[0]!, planes[0]!, planes[0]!] : planes
      return coloured.map((plane) => quantise(resizeBicubicOpenCv(plane, width, height)))
    })
    if (pre.magnification) frames = magnify(frames, pre.magnification)
    return frames.map((planes) => ({ planes }))
  }

  private async assemble(card: ModelCard, frames: PreparedFrame[], framesKey: string, signal?: AbortSignal): Promise<Float32Array> {
    const pre = card.preprocessing
    const channelNames = card.input.channels
    const [height, width] = pre.crop.size
    const plane = width * height
    // onset–apex recipes give one "time step": the pair's flow; sequences one per normalised frame.
    const steps = pre.frames.selection === 'onset-apex' ? 1 : frames.length
    const needsFlow = channelNames.some((c) => c === 'u' || c === 'v' || c === 'strain')
    const flows: FlowField[] = []
    if (needsFlow) {
      if (!pre.flow) throw new StudioError('model/mismatch', `Card "${card.id}" has flow channels but no flow recipe`)
      const gray = frames.map((f) => grayFromPlanes(f.planes))
      for (let t = 0; t < steps; t++) {
        if (pre.frames.selection === 'onset-apex') flows.push(await this.flow(pre.flow, gray[0]!, gray[1]!, `${framesKey}:0-1`, signal))
        else if (t === 0) flows.push(createFlow(width, height))
        else {
          const ref = pre.flow.reference === 'onset' ? 0 : t - 1
          flows.push(await this.flow(pre.flow, gray[ref]!, gray[t]!, `${framesKey}:${ref}-${t}`, signal))
        }
      }
    }
    const out = new Float32Array(channelNames.length * steps * plane)
    channelNames.forEach((name, c) => {
      for (let t = 0; t < steps; t++) {
        out.set(channelPlane(name, t, frames, flows, pre), (c * steps + t) * plane)
      }
    })
    normalise(out, channelNames.length, pre.normalisation)
    return out
  }

  private flow(recipe: NonNullable<Preprocessing['flow']>, i0: GrayImage, i1: GrayImage, pairKey: string, signal?: AbortSignal): Promise<FlowField> {
    const key = stageKey('flow', { pair: pairKey, method: recipe.method, params: recipe.params })
    return this.cache.get('flow', key, (f) => f.u.byteLength * 2, () => this.options.compute.flow(recipe.method as FlowMethod, i0, i1, flowOptions(recipe), signal))
  }
}

/** Card flow parameters → options of the vision functions. */
function flowOptions(recipe: NonNullable<Preprocessing['flow']>): Record<string, unknown> {
  switch (recipe.method) {
    case 'tvl1': {
      // useInitialFlow only matters for a caller-supplied start; the recipe never supplies one.
      const { useInitialFlow: _unused, ...rest } = recipe.params
      return rest
    }
    case 'lk':
      // preprocess.lk_flow is single-scale: one level, one Gauss–Newton step from zero flow. Its
      // diagonal regularisation has no counterpart in the vision module (which skips
      // ill-conditioned pixels instead): a known deviation, measured by the parity test.
      return { windowSize: recipe.params.window, levels: 1, iterations: 1 }
    case 'farneback':
      return recipe.params
  }
}

function channelPlane(name: string, t: number, frames: PreparedFrame[], flows: FlowField[], pre: Preprocessing): Float32Array {
  const frame = frames[t]!
  switch (name) {
    case 'u':
      return flows[t]!.u
    case 'v':
      return flows[t]!.v
    case 'strain':
      return strainReflect101(flows[t]!, pre.strain?.variant ?? 'standard').data
    case 'isdf': {
      const g0 = grayFromPlanes(frames[0]!.planes).data
      const gt = grayFromPlanes(frame.planes).data
      const d = new Float32Array(gt.length)
      for (let i = 0; i < d.length; i++) d[i] = gt[i]! - g0[i]!
      return d
    }
    case 'r':
    case 'g':
    case 'b': {
      const src = frame.planes[{ r: 0, g: 1, b: 2 }[name]]!.data
      const d = new Float32Array(src.length)
      for (let i = 0; i < d.length; i++) d[i] = src[i]! / 255
      return d
    }
    case 'gray':
      return grayFromPlanes(frame.planes).data
    default:
      throw new StudioError('model/mismatch', `Input channel "${name}" is not one the studio can build (u, v, strain, isdf, r, g, b, gray)`)
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
        // preprocess.magnify_onset_difference: I_t + α·G_σ(I_t − I_0).
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

function checkSupported(card: ModelCard): void {
  const { crop } = card.preprocessing
  if (crop.method !== 'as-provided' || crop.alignment !== 'none') {
    throw new StudioError('model/run-failed', `Model "${card.id}" asks for ${crop.method} with ${crop.alignment} alignment; this build has no face aligner yet, so it can only feed models whose frames are used as provided`)
  }
  if (card.input.shape.slice(1).some((d) => d < 1)) {
    throw new StudioError('model/mismatch', `Model "${card.id}": only the batch axis may be dynamic`)
  }
}

function preparedBytes(frames: PreparedFrame[]): number {
  return frames.reduce((sum, f) => sum + f.planes.reduce((s, p) => s + p.data.byteLength, 0), 0)
}

function toPixelFrame(frame: PreparedFrame, width: number, height: number): PixelFrame {
  const channels = frame.planes.length === 1 ? 1 : 3
  const data = new Uint8Array(width * height * channels)
  for (let i = 0, p = 0; i < width * height; i++) for (let c = 0; c < channels; c++, p++) data[p] = frame.planes[c]!.data[i]!
  return { width, height, channels, data }
}
