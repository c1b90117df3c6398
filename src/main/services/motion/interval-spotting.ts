import { StudioError } from '@shared/ipc/errors'
import { similarityScale, type SimilarityTransform } from '../../vision/face/align'
import { auRegions } from '../../vision/face/regions'
import {
  referenceDistances,
  regionLayout,
  scaleReference,
  spotIntervals,
  type IntervalSpotOptions,
  type ScaleMotion,
  type SpottedInterval,
} from '../../vision/interval-spotting'
import type { VisionPool } from '../../workers/vision-pool'
import type { DecodedFrame } from '../media/frame'
import type { MediaService } from '../media/media-service'
import { alignOn } from './face-alignment'

export interface LongSpotOptions extends Omit<IntervalSpotOptions, 'fps'> {
  /** Frame rate (image folders carry none: 30 unless given); overrides a video's. */
  fps?: number
  /** Side of the aligned face crop the motion is measured on, px. Default 128 (inter-ocular 51 px). */
  side?: number
  /** Spatial Gaussian σ on the crop before Lucas–Kanade, px: widens its capture range. Default 1. */
  sigma?: number
  /** Frames per worker task. Default 32. */
  chunkFrames?: number
  signal?: AbortSignal
  onProgress?: (progress: { done: number; total: number; etaSeconds: number | null }) => void
}

export const LONG_SPOT_DEFAULTS = { side: 128, sigma: 1, chunkFrames: 32 }

/** Frames tried for a face, spread over the video, before giving up. */
const FACE_PROBES = 8

/** One spotted interval, onset/apex/offset in the dataset's own frame numbers (the vision layer's are indices). */
export type LongSpotInterval = Omit<SpottedInterval, 'peak' | 'scale'>

export interface LongSpotResult {
  clip: string
  fps: number
  /** Frames analysed (fewer than the clip holds when the decoder stopped early: see warnings). */
  frames: number
  frameNumbers: { first: number; last: number }
  /** Every candidate: expressions, then blinks and head motion (`label`), each by onset. */
  intervals: LongSpotInterval[]
  /** The micro scale's motion curve, crop px, one value per analysed frame. */
  curve: Float32Array
  threshold: number
  face: { frame: number; score: number }
  /** Reference distances k of the two scales, frames. */
  scales: { micro: number[]; macro: number[] }
  warnings: string[]
}

/**
 * Spots every expression interval of a long video or frame folder (`vision/interval-spotting.ts`):
 * the face is found once, the frames are decoded once in order (shrunk while decoding when the
 * face is larger than the crop needs), cropped and compared in the vision pool — crops go to a
 * shared ring of frames, so memory is bounded by k_macro + a few chunks whatever the length.
 */
export async function spotLongClip(path: string, deps: { media: MediaService; pool: VisionPool }, options: LongSpotOptions = {}): Promise<LongSpotResult> {
  const o = { ...LONG_SPOT_DEFAULTS, ...options }
  const { media, pool } = deps
  const info = await media.open(path, options.fps ? { fps: options.fps } : {})
  const fps = options.fps ?? info.fps
  if (info.frameCount < 3) throw new StudioError('media/missing-frames', `${path} has ${info.frameCount} frame(s): interval spotting needs a video`)
  const warnings = [...(await media.warnings(path)), ...droppedFrameWarnings(info.frameNumbers), ...variableRateWarnings(await media.frameTimes(path))]

  const face = await findFace(path, media, pool, info.frameCount, o.side, info.frameNumbers, options.signal)
  const layout = regionLayout(auRegions(face.landmarks), o.side)
  // Decode shrunk by a power of two while the face stays at least as large as in the crop.
  const scale = similarityScale(face.transform)
  const shrink = Math.min(8, 2 ** Math.max(0, Math.floor(Math.log2(1 / scale))))
  const transform = shrunkTransform(face.transform, shrink, info.width, info.height)

  const distances = referenceDistances({ fps, ...options })
  const stride = layout.regions.length + 1
  const total = info.frameCount
  const motion = (k: number): ScaleMotion => ({ k, values: new Float32Array(total * stride), tail: new Float32Array(k * stride) })
  const grouped = { micro: distances.micro.map(motion), macro: distances.macro.map(motion) }
  const scales = [...grouped.micro, ...grouped.macro]
  const kMacro = Math.max(...scales.map((s) => s.k))
  const chunkFrames = Math.max(1, Math.floor(o.chunkFrames))
  const inFlight = pool.size + 1
  const ringSize = kMacro + (inFlight + 2) * chunkFrames
  const area = o.side * o.side
  const ring = new SharedArrayBuffer(ringSize * area * 4)
  const slot = (frame: number) => frame % ringSize

  const crops: Promise<unknown>[] = []
  const pairs: Promise<void>[] = []
  const started = performance.now()
  let paired = 0
  const launch = async (frames: DecodedFrame[], chunk: number) => {
    const start = chunk * chunkFrames
    // Chunk i's crops overwrite the slots of frames that chunk i − inFlight − 1's pairs still read.
    if (chunk > inFlight) await pairs[chunk - inFlight - 1]
    const cropped = pool.run(
      'spot-crops',
      { frames, slots: frames.map((_, i) => slot(start + i)), ring, transform, side: o.side, sigma: o.sigma },
      { signal: options.signal },
    )
    cropped.catch(() => undefined)
    crops[chunk] = cropped
    const first = Math.max(0, Math.floor((start - kMacro) / chunkFrames))
    const needed = crops.slice(first, chunk + 1)
    const done = (async () => {
      await Promise.all(needed)
      const list: [number, number][] = []
      const rows: [ScaleMotion, number][] = []
      for (let t = Math.max(1, start); t < start + frames.length; t++) {
        for (const s of scales) {
          list.push([slot(t), slot(scaleReference(t, s.k))])
          rows.push([s, t])
        }
      }
      const values = await pool.run('spot-pairs', { pairs: list, ring, side: o.side, layout }, { signal: options.signal })
      rows.forEach(([s, t], i) => s.values.set(values.subarray(i * stride, (i + 1) * stride), t * stride))
      paired += frames.length
      const elapsed = (performance.now() - started) / 1000
      options.onProgress?.({ done: paired, total, etaSeconds: paired > 0 ? (elapsed * (total - paired)) / paired : null })
    })()
    done.catch(() => undefined)
    pairs[chunk] = done
  }

  let decoded = 0
  let batch: DecodedFrame[] = []
  try {
    for await (const frame of media.streamGray(path, { shrink, signal: options.signal })) {
      batch.push(frame)
      decoded++
      if (batch.length === chunkFrames) {
        await launch(batch, pairs.length)
        batch = []
      }
    }
  } catch (error) {
    // A decoder that stops early (damaged tail, dropped frames) keeps what it delivered.
    if (!(error instanceof StudioError && error.code === 'media/missing-frames' && decoded >= 3)) {
      await Promise.allSettled(pairs)
      throw cancelledOr(error, options.signal)
    }
    warnings.push(`${error.message}; spotted the first ${decoded} frames`)
  }
  if (batch.length > 0) await launch(batch, pairs.length)
  await Promise.all(pairs).catch((error: unknown) => {
    throw cancelledOr(error, options.signal)
  })

  // The forward side of the last k frames: each against the last frame.
  const frames = decoded
  const tailPairs: [number, number][] = []
  const tailRows: [ScaleMotion, number][] = []
  for (const s of scales) {
    for (let i = 1; i < s.k; i++) {
      const t = frames - 1 - s.k + i
      if (t < 0) continue
      tailPairs.push([slot(frames - 1), slot(t)])
      tailRows.push([s, i])
    }
  }
  if (tailPairs.length > 0) {
    const values = await pool.run('spot-pairs', { pairs: tailPairs, ring, side: o.side, layout }, { signal: options.signal }).catch((error: unknown) => {
      throw cancelledOr(error, options.signal)
    })
    tailRows.forEach(([s, i], j) => s.tail.set(values.subarray(j * stride, (j + 1) * stride), i * stride))
  }

  const spotted = spotIntervals(grouped, layout, frames, { ...options, fps })
  const number = (index: number) => info.frameNumbers[index]!
  return {
    clip: path,
    fps,
    frames,
    frameNumbers: { first: number(0), last: number(frames - 1) },
    intervals: spotted.intervals.map((c) => ({
      onset: number(c.onset),
      apex: number(c.apex),
      offset: number(c.offset),
      kind: c.kind,
      label: c.label,
      confidence: c.confidence,
      regions: c.regions,
    })),
    curve: spotted.curve,
    threshold: spotted.threshold,
    face: { frame: number(face.index), score: face.score },
    scales: distances,
    warnings,
  }
}

interface FoundFace {
  index: number
  score: number
  transform: SimilarityTransform
  landmarks: { x: number; y: number }[]
}

/** The first frame, then frames spread over the video, until a face is found. */
async function findFace(path: string, media: MediaService, pool: VisionPool, frameCount: number, side: number, numbers: number[], signal?: AbortSignal): Promise<FoundFace> {
  const probes = [...new Set(Array.from({ length: FACE_PROBES }, (_, i) => Math.floor((i * frameCount) / FACE_PROBES)))]
  for (const index of probes) {
    if (signal?.aborted) throw new StudioError('cancelled', 'Spotting cancelled')
    // Colour where the clip has it: the detector finds faces in RGB more reliably.
    const frame = await media.readFrame(path, index, 'rgb')
    const alignment = await alignOn({ width: frame.width, height: frame.height, data: Float32Array.from(frame.data) }, side, pool)
    if (alignment) return { index, score: alignment.face.score, transform: alignment.transform, landmarks: alignment.landmarks }
  }
  throw new StudioError(
    'invalid-input',
    `No face found in ${path} (looked at frames ${probes.map((i) => numbers[i]).join(', ')}): interval spotting measures facial regions and needs a visible face`,
  )
}

/** The image → crop transform for frames decoded `shrink` times smaller (pixel centres kept). */
function shrunkTransform(t: SimilarityTransform, shrink: number, width: number, height: number): SimilarityTransform {
  if (shrink === 1) return t
  // Full-size pixel of a shrunk pixel q: q·s_x + (s_x − 1)/2 per axis (ffmpeg scales to floor(size / shrink)).
  const sx = width / Math.max(1, Math.floor(width / shrink))
  const sy = height / Math.max(1, Math.floor(height / shrink))
  const cx = (sx - 1) / 2
  const cy = (sy - 1) / 2
  // T(p) with p = (sx·q_x + cx, sy·q_y + cy); sx ≈ sy (a similarity keeps one scale).
  const s = (sx + sy) / 2
  return { a: t.a * s, b: t.b * s, tx: t.tx + t.a * cx - t.b * cy, ty: t.ty + t.b * cx + t.a * cy }
}

/** Gaps in a folder's frame numbers (CAS(ME)³ drops frames): spotting treats the files as consecutive. */
function droppedFrameWarnings(numbers: number[]): string[] {
  let missing = 0
  let example: string | null = null
  for (let i = 1; i < numbers.length; i++) {
    const gap = numbers[i]! - numbers[i - 1]! - 1
    if (gap > 0) {
      missing += gap
      example ??= `${numbers[i - 1]} → ${numbers[i]}`
    }
  }
  return missing > 0 ? [`${missing} frame number(s) missing (first gap ${example}): the frames were treated as consecutive, so intervals across a gap are stretched in time`] : []
}

/** A video whose frame intervals vary (VFR, dropped frames in a container): spotting counts frames. */
function variableRateWarnings(times: readonly number[] | null): string[] {
  if (!times || times.length < 3) return []
  const steps = times.slice(1).map((t, i) => t - times[i]!)
  const sorted = [...steps].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const longest = sorted.at(-1)!
  const shortest = sorted[0]!
  if (!(median > 0) || (longest <= 1.5 * median && shortest >= 0.5 * median)) return []
  const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`
  return [
    `variable frame timing: frame intervals from ${ms(shortest)} to ${ms(longest)} (median ${ms(median)}): the spotter counts frames, so durations near a gap are off`,
  ]
}

function cancelledOr(error: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? new StudioError('cancelled', 'Spotting cancelled') : error
}
