/**
 * Builds a model's input tensor from a sample by following its card's recipe step by step, with
 * the vision code the viewers use (TV-L1, Lucas–Kanade, Farnebäck, strain, temporal
 * normalisation, magnification) and the OpenCV-exact pixel steps of `opencv-exact.ts`. Order (as in
 * `models/preprocess.py`): select frames → temporal normalisation (rounded to uint8) → colour →
 * resize to the working size (rounded) → magnification (rounded) → flow from the reference frame
 * → one plane stack per input channel (u, v, strain, isdf, r, g, b, gray) → normalisation.
 *
 * Prepared frames, flow fields and finished tensors are cached per (sample, recipe stage), so a
 * second model with the same recipe reuses the flow (see `StageCache`): in the sample's own
 * `stages` when it has them (a batch sample), in the shared byte-bounded cache otherwise.
 */
import type { ModelCard } from '@shared/domain/model-card'
import { StudioError } from '@shared/ipc/errors'
import type { SimilarityTransform } from '../../vision/face/align'
import type { FlowField, GrayImage } from '../../vision/image'
import { flowMethods } from '../../vision/methods'
import type { PixelFrame } from '../../vision/recipe/opencv-exact'
import { BUILDABLE_CHANNELS, flowFrames, flowPairs, inputFlow, type BuiltRecipe, type PrepareParams, type PreparedClip } from '../../vision/recipe/stages'
import type { ApexSource, InferenceSample } from './sample'
import { StageCache, stageKey, type CacheStats, type StageClaim, type StageScope } from './stage-cache'
import type { VisionCompute } from './vision-compute'

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
  /** `aligned-face-crop` recipes: frame pixel → input pixel similarity fitted on the onset frame; null when frames are used as provided. */
  alignment: SimilarityTransform | null
  /** Things the user should know about this input (e.g. frames interpolated up). */
  warnings: string[]
  preprocessMs: number
  /** True when the finished tensor came from the cache. */
  cached: boolean
  /**
   * With `flowSummary`: mean flow magnitude (px/frame at the recipe's working size) of each flow the
   * tensor was built from — one value for onset→apex recipes, one per time step for sequences
   * (step 0 has no flow); empty when the recipe uses no flow.
   */
  flowMagnitude?: number[]
}

export interface BuildOptions {
  signal?: AbortSignal
  /** Also report the per-step flow magnitudes (from the cached flows: no recomputation). */
  flowSummary?: boolean
}

export interface InputBuilderOptions {
  compute: VisionCompute
  /** Memory budget of the stage cache. Default 512 MiB. */
  memoryBytes?: number
  /** On-disk flow cache (e.g. `<userData>/cache/inference-flow`); none when null. */
  diskCacheDir?: string | null
  /** Byte budget of the on-disk flow cache (least recently used files go first). Default 2 GiB. */
  diskCacheBytes?: number
  /**
   * Face alignment for `aligned-face-crop` recipes: the similarity (frame → crop of `side` pixels)
   * fitted on the onset frame's landmarks, or null when no face is found. Without it such recipes
   * are refused.
   */
  alignFace?: (onset: PixelFrame, side: number) => Promise<SimilarityTransform | null>
  /** Automatic apex spotting for samples without an apex; the middle frame is used when absent or when it finds none. */
  spotApex?: (sample: InferenceSample, signal?: AbortSignal) => Promise<number | null>
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
    this.cache = new StageCache(options.memoryBytes ?? 512 * 1024 * 1024, options.diskCacheDir ?? null, options.diskCacheBytes)
  }

  /** Starts the compute's workers ahead of the first input. */
  warm(): void {
    this.options.compute.warm?.()
  }

  /** Cache hits/misses per stage (`hits.flow` counts reused flow fields). */
  cacheStats(): CacheStats {
    return this.cache.stats()
  }

  async buildInput(sample: InferenceSample, card: ModelCard, { signal, flowSummary = false }: BuildOptions = {}): Promise<BuiltInput> {
    const started = performance.now()
    const pre = card.preprocessing
    const recipeId = recipeIdOf(card)
    this.checkSupported(card)
    const warnings: string[] = []
    const { indices, apex } = await this.selectFrames(sample, pre, warnings, signal)
    const [height, width] = pre.crop.size
    const length = pre.frames.temporalLength ?? indices.length

    const alignment = await this.alignment(sample, card, indices[0]!, signal)
    const framesKey = stageKey('frames', { sample: sample.key, indices, length, frames: pre.frames, crop: { ...pre.crop, description: undefined }, flowSize: pre.flow?.computeSize ?? null, alignment, magnification: pre.magnification && { ...pre.magnification, description: undefined } })
    const tensorKey = stageKey('tensor', { frames: framesKey, recipe: recipeId })
    const prepareParams = async (): Promise<PrepareParams> => ({
      frames: await readFrames(sample, indices, signal),
      preprocessing: pre,
      ...(alignment ? { alignment: { transform: alignment, side: width } } : {}),
    })
    let clip: PreparedClip
    let data: Float32Array
    let cached = true
    const scope = sample.stages
    const framesClaim = await this.cache.claim('frames', framesKey, preparedBytes, scope)
    if (framesClaim.hit) {
      clip = await framesClaim.value
      data = await this.cache.get(
        'tensor',
        tensorKey,
        (t) => t.byteLength,
        async () => {
          cached = false
          const flows = await this.flows(card, clip, framesKey, scope, signal)
          return this.options.compute.assemble({ channels: card.input.channels, preprocessing: pre, clip, flows }, signal)
        },
        scope,
      )
    } else {
      const tensorClaim = await this.cache.claim<Float32Array>('tensor', tensorKey, (t) => t.byteLength, scope)
      if (tensorClaim.hit) {
        clip = await framesClaim.fill((async () => this.options.compute.prepare(await prepareParams(), signal))())
        data = await tensorClaim.value
      } else {
        // Nothing of this sample is cached (the batch's usual case): one vision task prepares the
        // frames, computes the flows no cache has and assembles the tensor; every stage's cache is
        // filled from its result, so a second model on the same recipe still reuses the flow.
        cached = false
        ;({ clip, data } = await this.buildAll(card, framesKey, length ?? indices.length, prepareParams, framesClaim.fill, tensorClaim.fill, scope, signal))
      }
    }
    const faceCrop = toPixelFrame(clip.frames[0]!, width, height)
    const dims = [1, ...card.input.shape.slice(1)]
    if (data.length !== dims.slice(1).reduce((a, b) => a * b, 1)) {
      throw new StudioError('model/mismatch', `Recipe of "${card.id}" produced ${data.length} values, the input [${dims.join(', ')}] needs ${dims.reduce((a, b) => a * b, 1)}`)
    }
    const built: BuiltInput = { data, dims, recipeId, frameIndices: indices, apex, faceCrop, alignment, warnings, preprocessMs: 0, cached }
    if (flowSummary) built.flowMagnitude = (await this.flows(card, clip, framesKey, scope, signal)).map(meanMagnitude)
    built.preprocessMs = performance.now() - started
    return built
  }

  /** The onset frame's alignment for `aligned-face-crop` recipes (null for frames used as provided). */
  private async alignment(sample: InferenceSample, card: ModelCard, onsetIndex: number, signal?: AbortSignal): Promise<SimilarityTransform | null> {
    if (card.preprocessing.crop.method === 'as-provided') return null
    const onset = (await readFrames(sample, [onsetIndex], signal))[0]!
    const transform = await this.options.alignFace!(onset, card.preprocessing.crop.size[1])
    if (!transform) throw new StudioError('invalid-input', `Sample ${sample.key}: no face found on the onset frame ${onsetIndex}, so it cannot be aligned for "${card.id}"`)
    return transform
  }

  private checkSupported(card: ModelCard): void {
    const { crop } = card.preprocessing
    if (crop.method === 'aligned-face-crop') {
      if (!this.options.alignFace) throw new StudioError('model/run-failed', `Model "${card.id}" asks for an aligned face crop, and this input builder has no face aligner`)
      if (crop.size[0] !== crop.size[1]) throw new StudioError('model/mismatch', `Model "${card.id}": aligned face crops are square, the card asks for ${crop.size[0]}×${crop.size[1]}`)
    } else if (crop.alignment !== 'none') {
      throw new StudioError('model/mismatch', `Model "${card.id}": frames used as provided cannot also ask for ${crop.alignment} alignment`)
    }
    // The recipe resizes with OpenCV's INTER_CUBIC exactly (vision/recipe/opencv-exact); other kernels would silently give other pixels.
    if (crop.interpolation !== 'bicubic') {
      throw new StudioError('model/mismatch', `Model "${card.id}" resizes frames with "${crop.interpolation}" interpolation; the studio builds inputs with bicubic (OpenCV INTER_CUBIC) only`)
    }
    const unknown = card.input.channels.find((c) => !(BUILDABLE_CHANNELS as readonly string[]).includes(c))
    if (unknown) {
      throw new StudioError('model/mismatch', `Model "${card.id}": input channel "${unknown}" is not one the studio can build (${BUILDABLE_CHANNELS.join(', ')})`)
    }
    const computeSize = card.preprocessing.flow?.computeSize
    if (computeSize) {
      const [factorY, factorX] = [computeSize[0] / crop.size[0], computeSize[1] / crop.size[1]]
      if (!(Number.isInteger(factorX) && factorX === factorY)) {
        throw new StudioError('model/mismatch', `Model "${card.id}": the flow's compute size ${computeSize.join('×')} must be the same whole multiple of the input size ${crop.size.join('×')} on both axes`)
      }
    }
    if (card.input.shape.slice(1).some((d) => d < 1)) {
      throw new StudioError('model/mismatch', `Model "${card.id}": only the batch axis may be dynamic`)
    }
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
      const frame = sample.frameNumber?.(apex.index) ?? apex.index
      warnings.push(apex.source === 'spotted' ? `No apex coded: frame ${frame} found by spotting was used.` : `No apex coded: the middle frame ${frame} between onset and offset was used.`)
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

  /** The flow recipe when the channels need flow (null when none does). */
  private flowRecipe(card: ModelCard): NonNullable<Preprocessing['flow']> | null {
    if (!card.input.channels.some((c) => c === 'u' || c === 'v' || c === 'strain')) return null
    const recipe = card.preprocessing.flow
    if (!recipe) throw new StudioError('model/mismatch', `Card "${card.id}" has flow channels but no flow recipe`)
    return recipe
  }

  /** Flow fields of every time step the channels need (all pairs at once: the pool runs them in parallel). */
  private async flows(card: ModelCard, clip: PreparedClip, framesKey: string, scope: StageScope | undefined, signal?: AbortSignal): Promise<FlowField[]> {
    const recipe = this.flowRecipe(card)
    if (!recipe) return []
    const pre = card.preprocessing
    return Promise.all(
      flowPairs(pre, clip.gray.length).map((pair) => {
        if (!pair) return inputFlow(null, pre)
        return this.cache.get(
          'flow',
          flowKey(recipe, `${framesKey}:${pair[0]}-${pair[1]}`),
          flowBytes,
          async () => inputFlow(await this.options.compute.flow(recipe.method, ...flowFrames(clip, pair), flowOptions(recipe), signal), pre),
          scope,
        )
      }),
    )
  }

  /**
   * All stages of a sample in one vision task (`compute.build`), with the flows some cache already
   * has (memory, in flight, disk) passed in and the others claimed and filled from its result.
   */
  private async buildAll(
    card: ModelCard,
    framesKey: string,
    frameCount: number,
    prepareParams: () => Promise<PrepareParams>,
    fillFrames: (value: Promise<PreparedClip>) => Promise<PreparedClip>,
    fillTensor: (value: Promise<Float32Array>) => Promise<Float32Array>,
    scope: StageScope | undefined,
    signal?: AbortSignal,
  ): Promise<{ clip: PreparedClip; data: Float32Array }> {
    let recipe: NonNullable<Preprocessing['flow']> | null = null
    const claims: (StageClaim<FlowField> | null)[] = []
    let job: Promise<BuiltRecipe>
    try {
      recipe = this.flowRecipe(card)
      if (recipe) {
        for (const pair of flowPairs(card.preprocessing, frameCount)) {
          claims.push(pair ? await this.cache.claim('flow', flowKey(recipe, `${framesKey}:${pair[0]}-${pair[1]}`), flowBytes, scope) : null)
        }
      }
      const flow = recipe && { method: recipe.method, options: flowOptions(recipe) }
      job = (async () => {
        const known = await Promise.all(claims.map((c) => (c?.hit ? c.value : null)))
        return this.options.compute.build({ ...(await prepareParams()), channels: card.input.channels, flow: flow && { ...flow, known } }, signal)
      })()
    } catch (error) {
      job = Promise.reject(error)
    }
    // Every claim is filled, with the result or the error, so no request waits on it forever.
    const filled = claims.map((c, i) => (c && !c.hit ? c.fill(job.then((r) => r.flows[i]!)) : null))
    const clipDone = fillFrames(job.then((r) => r.clip))
    const tensorDone = fillTensor(job.then((r) => r.tensor))
    const [clip, data] = await Promise.all([clipDone, tensorDone, ...filled])
    return { clip: clip as PreparedClip, data: data as Float32Array }
  }
}

function flowKey(recipe: NonNullable<Preprocessing['flow']>, pairKey: string): string {
  // The options as computed (not just the card's params): flows cached before the OpenCV numerics get a different key.
  // The cached field is the pooled one, so the compute size is part of the key.
  return stageKey('flow', { pair: pairKey, method: recipe.method, params: flowOptions(recipe), computeSize: recipe.computeSize ?? null })
}

function flowBytes(flow: FlowField): number {
  return flow.u.byteLength * 2
}

/** Card flow parameters → options of the vision functions. */
function flowOptions(recipe: NonNullable<Preprocessing['flow']>): Record<string, unknown> {
  return flowMethods[recipe.method].fromCard(recipe)
}

function preparedBytes(clip: PreparedClip): number {
  const planeBytes = (planes: GrayImage[]): number => planes.reduce((s, p) => s + p.data.byteLength, 0)
  return clip.frames.reduce((sum, planes) => sum + planeBytes(planes), 0) + planeBytes(clip.gray) + planeBytes(clip.flowGray ?? [])
}

/** Decodes the selected frames; a frame that fails is a per-sample `media/corrupt` error naming it. */
async function readFrames(sample: InferenceSample, indices: number[], signal?: AbortSignal): Promise<PixelFrame[]> {
  const frames: PixelFrame[] = []
  for (const index of indices) {
    signal?.throwIfAborted()
    let frame: PixelFrame
    try {
      frame = await sample.readFrame(index, signal)
    } catch (error) {
      if (error instanceof StudioError || signal?.aborted) throw error
      throw new StudioError('media/corrupt', `Sample ${sample.key}: frame ${index} cannot be decoded (${(error as Error).message})`)
    }
    const first = frames[0]
    if (first && (frame.width !== first.width || frame.height !== first.height)) {
      throw new StudioError('media/corrupt', `Sample ${sample.key}: frame ${index} is ${frame.width}×${frame.height}, earlier frames ${first.width}×${first.height}`)
    }
    frames.push(frame)
  }
  return frames
}

/** A prepared frame's planes as interleaved 8-bit pixels (the overlay's base image). */
function toPixelFrame(planes: GrayImage[], width: number, height: number): PixelFrame {
  const channels = planes.length === 1 ? 1 : 3
  const data = new Uint8Array(width * height * channels)
  for (let i = 0, p = 0; i < width * height; i++) for (let c = 0; c < channels; c++, p++) data[p] = planes[c]!.data[i]!
  return { width, height, channels, data }
}

function meanMagnitude(flow: FlowField): number {
  let sum = 0
  for (let i = 0; i < flow.u.length; i++) sum += Math.hypot(flow.u[i]!, flow.v[i]!)
  return flow.u.length === 0 ? 0 : sum / flow.u.length
}
