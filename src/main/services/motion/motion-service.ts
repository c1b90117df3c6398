import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import sharp from '../media/sharp'
import { applyColormap, finiteRange, type ColormapName } from '@shared/colormaps'
import type { ClipInfo } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc/errors'
import type { z } from 'zod'
import type {
  FaceSummary,
  FlowMethod,
  FlowRequestSchema,
  FlowSummary,
  MagnifyRequestSchema,
  MagnifySummary,
  SpotRequestSchema,
  SpotSummary,
} from '@shared/ipc/channels/motion'
import { alignmentTransform, warpSimilarityRgb } from '../../vision/face/align'
import { auRegions } from '../../vision/face/regions'
import { flowColorLegend, flowMagnitudeStats, flowToColor } from '../../vision/flow-color'
import type { RgbImage } from '../../vision/color'
import { grayFromPixels, resizeBilinear, type FlowField, type GrayImage } from '../../vision/image'
import type { TemporalFilter } from '../../vision/magnify-eulerian'
import { flowMethods } from '../../vision/methods'
import type { VisionPool } from '../../workers/vision-pool'
import type { DecodedFrame, FrameMode } from '../media/frame'
import { alignOn, detectFace } from './face-alignment'
import { spotFrames } from './spotting'

/** What the motion service needs from the media layer (MediaService satisfies it). */
export interface FrameSource {
  open(path: string): Promise<ClipInfo>
  readFrame(path: string, index: number, mode?: FrameMode): Promise<DecodedFrame>
}

/** Requests as the contract's schemas parse them (defaults filled in). */
export type FlowRequest = z.output<typeof FlowRequestSchema>
export type MagnifyRequest = z.output<typeof MagnifyRequestSchema>
export type SpotRequest = z.output<typeof SpotRequestSchema>

interface FlowEntry {
  summary: FlowSummary
  flow: FlowField
  strain: GrayImage
}

interface FaceEntry {
  summary: FaceSummary
  /** The aligned crop of the frame, RGB bytes (side × side). */
  crop: Uint8Array
}

interface MagnifyEntry {
  summary: MagnifySummary
  frames: Uint8Array[]
}

/**
 * Computes and caches motion views of clips: optical flow + strain between two frames, and
 * magnified clip sections. All heavy work runs in the vision worker pool; results are cached per
 * (clip, parameters) under a deterministic id, so the renderer can re-request the same PNGs.
 */
export class MotionService {
  /** Computations by id, each cache holding its `limits` most recently used entries. */
  private readonly flows: LRUCache<string, Promise<FlowEntry>>
  private readonly magnified: LRUCache<string, Promise<MagnifyEntry>>
  private readonly spots: LRUCache<string, Promise<SpotSummary>>
  private readonly faces: LRUCache<string, Promise<FaceEntry>>

  constructor(
    private readonly frames: FrameSource,
    private readonly pool: VisionPool,
    limits = { flows: 24, magnified: 4, spots: 32, faces: 32 },
  ) {
    this.flows = new LRUCache({ max: limits.flows })
    this.magnified = new LRUCache({ max: limits.magnified })
    this.spots = new LRUCache({ max: limits.spots })
    this.faces = new LRUCache({ max: limits.faces })
  }

  static flowId(request: FlowRequest): string {
    return digest(['flow', request.clipPath, request.from, request.to, request.method, request.strainVariant, request.maxSide])
  }

  static spotId(request: SpotRequest): string {
    return digest(['spot', request.clipPath, request.start, request.count, request.onset, request.offset, request.signal, request.side, request.temporalSigma, request.face])
  }

  static faceId(clipPath: string, index: number, side: number): string {
    return digest(['face', clipPath, index, side])
  }

  static magnifyId(request: MagnifyRequest): string {
    return digest(['magnify', request.clipPath, request.start, request.count, request.method, request.alpha, request.lambdaC, request.filter, request.levels, request.chromaAttenuation, request.crop])
  }

  /** Flow from frame `from` to frame `to`, its strain and statistics (cached). */
  flow(request: FlowRequest, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<FlowEntry> {
    const id = MotionService.flowId(request)
    return remember(this.flows, id, () => this.computeFlow(id, request, options))
  }

  /** A finished flow by id, or a `not-found` error (e.g. evicted: the UI recomputes). */
  flowById(id: string): Promise<FlowEntry> {
    return lookup(this.flows, id, 'computed flow')
  }

  /** The motion curve of a clip section, its suggested apex (and onset/offset when not coded), with confidence. */
  spot(request: SpotRequest, options: { signal?: AbortSignal } = {}): Promise<SpotSummary> {
    const id = MotionService.spotId(request)
    return remember(this.spots, id, () => this.computeSpot(id, request, options))
  }

  spotById(id: string): Promise<SpotSummary> {
    return lookup(this.spots, id, 'spotting result')
  }

  /** Face box, 68 landmarks and AU regions on one frame (source pixels), and the aligned crop that frame gives. */
  face(clipPath: string, index: number, side: number): Promise<FaceEntry> {
    const id = MotionService.faceId(clipPath, index, side)
    return remember(this.faces, id, () => this.computeFace(id, clipPath, index, side))
  }

  async alignedCropPng(id: string): Promise<Buffer> {
    const { crop, summary } = await lookup(this.faces, id, 'face result')
    if (!summary.found) throw new StudioError('not-found', 'No face was found on that frame')
    return sharp(crop, { raw: { width: summary.side, height: summary.side, channels: 3 } }).png({ compressionLevel: 2 }).toBuffer()
  }

  magnify(request: MagnifyRequest, options: { signal?: AbortSignal } = {}): Promise<MagnifyEntry> {
    const id = MotionService.magnifyId(request)
    return remember(this.magnified, id, () => this.computeMagnified(id, request, options))
  }

  magnifiedById(id: string): Promise<MagnifyEntry> {
    return lookup(this.magnified, id, 'magnified clip')
  }

  /** PNG of a flow view: Middlebury colour, magnitude or strain heatmap (px/frame), or the colour-wheel legend. */
  async flowPng(id: string, view: 'color' | 'magnitude' | 'strain' | 'legend', colormap: ColormapName = 'inferno'): Promise<Buffer> {
    const { flow, strain, summary } = await this.flowById(id)
    if (view === 'legend') return rgbaPng(flowColorLegend(129))
    if (view === 'color') return rgbaPng(flowToColor(flow))
    const values = view === 'strain' ? strain.data : magnitudes(flow)
    const range = view === 'strain' ? { min: 0, max: summary.strain.max } : { min: 0, max: summary.stats.max }
    return rgbaPng({ width: flow.width, height: flow.height, data: applyColormap(values, colormap, range) })
  }

  /** The raw field for quiver drawing: little-endian float32, u and v interleaved, row-major. */
  async flowField(id: string): Promise<Buffer> {
    const { flow } = await this.flowById(id)
    const interleaved = new Float32Array(flow.width * flow.height * 2)
    for (let i = 0; i < flow.width * flow.height; i++) {
      interleaved[2 * i] = flow.u[i]!
      interleaved[2 * i + 1] = flow.v[i]!
    }
    return Buffer.from(interleaved.buffer)
  }

  async magnifiedFramePng(id: string, offset: number): Promise<Buffer> {
    const { frames, summary } = await this.magnifiedById(id)
    const frame = frames[offset]
    if (!frame) throw new StudioError('not-found', `Frame ${offset} is outside the magnified section (0..${frames.length - 1})`)
    return rgbPng(frame, summary.width, summary.height)
  }

  private async computeFlow(id: string, request: FlowRequest, options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): Promise<FlowEntry> {
    const started = performance.now()
    const clip = await this.frames.open(request.clipPath)
    for (const index of [request.from, request.to]) {
      if (!Number.isInteger(index) || index < 0 || index >= clip.frameCount) {
        throw new StudioError('media/missing-frames', `Frame index ${index} is outside the clip (0..${clip.frameCount - 1})`)
      }
    }
    const [a, b] = await Promise.all([this.frames.readFrame(request.clipPath, request.from, 'gray'), this.frames.readFrame(request.clipPath, request.to, 'gray')])
    const i0 = this.fit(grayFromPixels(a.data, a.width, a.height, 1), request.maxSide)
    const i1 = this.fit(grayFromPixels(b.data, b.width, b.height, 1), request.maxSide)
    const { flow, stats } = await this.flowOfFrames(request.method, i0, i1, options)
    const strain = await this.pool.run('strain', { flow: copyFlow(flow), options: { variant: request.strainVariant } }, { signal: options.signal })
    const strainRange = finiteRange(strain.data)
    let strainSum = 0
    for (const value of strain.data) strainSum += value
    const summary: FlowSummary = {
      flowId: id,
      clipPath: request.clipPath,
      from: request.from,
      to: request.to,
      method: request.method,
      strainVariant: request.strainVariant,
      width: flow.width,
      height: flow.height,
      sourceWidth: a.width,
      sourceHeight: a.height,
      stats,
      strain: { mean: strainSum / strain.data.length, max: strainRange.max },
      computeMs: Math.round(performance.now() - started),
    }
    return { summary, flow, strain }
  }

  private async computeSpot(id: string, request: SpotRequest, options: { signal?: AbortSignal }): Promise<SpotSummary> {
    const clip = await this.frames.open(request.clipPath)
    const { start, count } = request
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 3 || start + count > clip.frameCount) {
      throw new StudioError('invalid-input', `Frames ${start}..${start + count - 1} are not a section of the clip (0..${clip.frameCount - 1}, at least 3 frames)`)
    }
    const relative = (index: number | null): number | undefined => {
      if (index === null) return undefined
      if (index < start || index >= start + count) throw new StudioError('invalid-input', `Frame ${index} is outside the section ${start}..${start + count - 1}`)
      return index - start
    }
    const frames: GrayImage[] = []
    for (let i = 0; i < count; i++) {
      options.signal?.throwIfAborted()
      const f = await this.frames.readFrame(request.clipPath, start + i, 'gray')
      frames.push(grayFromPixels(f.data, f.width, f.height, 1))
    }
    const { result, face } = await spotFrames(
      frames,
      {
        onset: relative(request.onset),
        offset: relative(request.offset),
        signal: request.signal,
        side: request.side,
        temporalSigma: request.temporalSigma,
        face: request.face,
        abort: options.signal,
      },
      this.pool,
    )
    return {
      spotId: id,
      clipPath: request.clipPath,
      start,
      count,
      signal: request.signal,
      onset: start + result.onset,
      apex: start + result.apex,
      offset: start + result.offset,
      onsetSuggested: result.onsetSuggested,
      offsetSuggested: result.offsetSuggested,
      confidence: result.confidence,
      curve: result.curve,
      peaks: result.peaks.map((p) => ({ index: start + p.frame, value: p.value, prominence: p.prominence, confidence: p.confidence })),
      faceFound: face.found,
      faceScore: face.found ? face.score! : null,
      side: face.found ? face.crop! : null,
      faceFrame: request.onset ?? start,
    }
  }

  private async computeFace(id: string, clipPath: string, index: number, side: number): Promise<FaceEntry> {
    const frame = await this.frames.readFrame(clipPath, index, 'rgb')
    const rgb: RgbImage = { width: frame.width, height: frame.height, data: Float32Array.from(frame.data) }
    const detected = await detectFace(this.pool, rgb)
    if (!detected) return { summary: { faceId: id, found: false, index, side, score: 0, box: null, landmarks: [], regions: [] }, crop: new Uint8Array(0) }
    const transform = alignmentTransform(detected.landmarks, { size: side })
    const aligned = warpSimilarityRgb(rgb, transform, side)
    const regions = auRegions(detected.landmarks).map((r) => ({ id: r.id, region: r.region, side: r.side, reference: r.reference, polygon: r.polygon.map((p) => ({ x: p.x, y: p.y })) }))
    return {
      summary: { faceId: id, found: true, index, side, score: detected.score, box: detected.box, landmarks: detected.landmarks.map((p) => ({ x: p.x, y: p.y })), regions },
      crop: Uint8Array.from(aligned.data, (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v))),
    }
  }

  private async computeMagnified(id: string, request: MagnifyRequest, options: { signal?: AbortSignal }): Promise<MagnifyEntry> {
    const clip = await this.frames.open(request.clipPath)
    const { start, count } = request
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 2 || start + count > clip.frameCount) {
      throw new StudioError('invalid-input', `Frames ${start}..${start + count - 1} are not a section of the clip (0..${clip.frameCount - 1}, at least 2 frames)`)
    }
    const filter = temporalFilter(request.filter, clip.fps)
    let rgb: RgbImage[] = []
    for (let i = 0; i < count; i++) {
      options.signal?.throwIfAborted()
      const frame = await this.frames.readFrame(request.clipPath, start + i, 'rgb')
      rgb.push({ width: frame.width, height: frame.height, data: Float32Array.from(frame.data) })
    }
    if (request.crop !== null) {
      const alignment = await alignOn(rgb[0]!, request.crop, this.pool)
      if (!alignment) throw new StudioError('invalid-input', `No face found on frame ${start}; magnify without a crop (--crop)`)
      rgb = rgb.map((f) => warpSimilarityRgb(f, alignment.transform, alignment.side))
    }
    const { method, alpha, levels, lambdaC, chromaAttenuation } = request
    const task = { frames: rgb, method, options: { alpha, levels, filter, lambdaC, chromaAttenuation } }
    const magnified = await this.pool.run('magnify', task, { signal: options.signal, transfer: rgb.map((f) => f.data.buffer as ArrayBuffer) })
    const width = magnified[0]!.width
    const height = magnified[0]!.height
    const frames = magnified.map((f) => Uint8Array.from(f.data, (v) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v))))
    return { summary: { magnifyId: id, clipPath: request.clipPath, start, count, width, height, method: request.method, alpha: request.alpha }, frames }
  }

  /**
   * The flow of one frame pair with the method's studio options (`vision/methods.ts`), in the pool.
   * The clip flow above and `me-studio flow` (two image files, `size`: both resized first) compute it here.
   */
  async flowOfFrames(
    method: FlowMethod,
    a: GrayImage,
    b: GrayImage,
    options: { size?: { width: number; height: number } | undefined; signal?: AbortSignal | undefined; onProgress?: ((done: number, total: number) => void) | undefined } = {},
  ): Promise<{ flow: FlowField; stats: FlowSummary['stats'] }> {
    const [i0, i1] = options.size ? [a, b].map((f) => resizeBilinear(f, options.size!.width, options.size!.height)) : [a, b]
    const flow = await this.pool.run(
      'flow',
      { method, i0: i0!, i1: i1!, options: { ...flowMethods[method].studio } },
      { signal: options.signal, transfer: [i0!.data.buffer as ArrayBuffer, i1!.data.buffer as ArrayBuffer], ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
    )
    const { mean, max, median, p95 } = flowMagnitudeStats(flow)
    return { flow, stats: { mean, max, median, p95 } }
  }

  private fit(image: GrayImage, maxSide: number | null): GrayImage {
    const side = Math.max(image.width, image.height)
    if (maxSide === null || side <= maxSide) return image
    const scale = maxSide / side
    return resizeBilinear(image, Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)))
  }
}

function temporalFilter(filter: MagnifyRequest['filter'], fps: number): TemporalFilter {
  if (filter.kind === 'iir') return filter
  if (!(filter.lowHz > 0 && filter.highHz > filter.lowHz && filter.highHz <= fps / 2)) {
    throw new StudioError('invalid-input', `The pass band ${filter.lowHz}–${filter.highHz} Hz must satisfy 0 < low < high ≤ fps/2 (${fps / 2} Hz)`)
  }
  return { kind: 'ideal', fps, low: filter.lowHz, high: filter.highHz }
}

/** A cached result by id (not made more recent by the look-up); `not-found` when it was never computed or has been evicted. */
async function lookup<T>(cache: LRUCache<string, Promise<T>>, id: string, what: string): Promise<T> {
  const entry = cache.peek(id)
  if (!entry) throw new StudioError('not-found', `No ${what} ${id}`)
  return entry
}

/** Caches a computation by id; a failed computation is forgotten so it can be retried. */
function remember<T>(cache: LRUCache<string, Promise<T>>, id: string, compute: () => Promise<T>): Promise<T> {
  const existing = cache.get(id)
  if (existing) return existing
  const pending = compute()
  cache.set(id, pending)
  pending.catch(() => cache.delete(id))
  return pending
}

function digest(parts: unknown[]): string {
  return createHash('sha1').update(JSON.stringify(parts)).digest('hex').slice(0, 20)
}

function magnitudes(flow: FlowField): Float32Array {
  const out = new Float32Array(flow.width * flow.height)
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(flow.u[i]!, flow.v[i]!)
  return out
}

/** The strain task takes its input by transfer; keep the cached flow intact. */
function copyFlow(flow: FlowField): FlowField {
  return { width: flow.width, height: flow.height, u: flow.u.slice(), v: flow.v.slice() }
}

/** A magnified frame as PNG: the media route and `me-studio magnify`'s frame files are these bytes. */
export function rgbPng(frame: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(frame, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer()
}

function rgbaPng(image: { width: number; height: number; data: Uint8ClampedArray }): Promise<Buffer> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 4 } })
    .png({ compressionLevel: 2 })
    .toBuffer()
}
