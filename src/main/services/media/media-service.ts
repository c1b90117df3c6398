import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import sharp from './sharp'
import type { ClipInfo } from '@shared/domain/dataset'
import { indexOfFrameNumber as indexOfFrameNumberIn } from '@shared/domain/frames'
import { StudioError } from '@shared/ipc/errors'
import { requireFfmpeg } from '../ffmpeg-locator'
import type { SpawnFunction } from './ffmpeg-process'
import { FrameCache } from './frame-cache'
import type { DecodedFrame, FrameMode } from './frame'
import { decodeImage, imageSize, listSequence, type SequenceListing } from './image-sequence'
import { VIDEO_EXTENSIONS, decodeVideoFrames, indexVideo, keyframeBefore, streamGrayFrames, type GrayStreamSource, type VideoIndex } from './video'

export interface MediaServiceOptions {
  /** Resolves the ffmpeg binary (default: the locator's order). Called once, on first video use. */
  ffmpeg?: () => Promise<string>
  spawn?: SpawnFunction
  /** Upper bound of decoded pixel bytes kept in memory (default 256 MiB). */
  cacheBytes?: number
  /** Frames decoded per ffmpeg process when a video frame misses the cache (default 16). */
  readAhead?: number
  /**
   * Folder for video indices (one small JSON per video, keyed by path, size and mtime), so a
   * video is decoded in full once per machine rather than once per session. None: memory only.
   */
  indexCacheDir?: string
}

export interface ReadFramesOptions {
  /**
   * The cache frames are looked up in and decoded runs kept in; default: the service's own, which
   * is for the player. A batch sample reads through one of its own, dropped with the sample.
   */
  cache?: FrameCache
}

export interface OpenClipOptions {
  /** Image folders carry no frame rate; datasets pass theirs (default 30). Overrides a video's rate too. */
  fps?: number
  signal?: AbortSignal
}

/** An opened clip: the public description plus what decoding needs. */
interface OpenClip {
  info: ClipInfo
  video?: VideoIndex
  sequence?: SequenceListing
  /** Decoder complaints on a file that still opened. */
  warnings: string[]
}

const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024
const DEFAULT_READ_AHEAD = 16
/**
 * Opened clips kept (their index and file list, a few KB each, a video's index costing a full
 * decode): the most recently used, so a batch over thousands of clips does not keep them all.
 */
const MAX_OPEN_CLIPS = 256
/**
 * ffmpeg decodes from the keyframe before a seek target anyway; frames up to this many before
 * the target are kept (cached) instead of discarded, so scrubbing backwards is cheap.
 */
const MAX_BACKFILL = 64
/** Image files decoded concurrently when a range of a sequence misses the cache. */
const SEQUENCE_CONCURRENCY = 4
/** Bump when the VideoIndex shape changes: old cache files are then ignored. */
const INDEX_CACHE_VERSION = 1
const DEFAULT_SEQUENCE_FPS = 30

export function isVideoFile(path: string): boolean {
  return (VIDEO_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase())
}

/**
 * Frame-exact random access to videos and image-sequence folders by integer index (0-based
 * position in the clip; `ClipInfo.frameNumbers[index]` is the dataset's own number). Videos are
 * indexed once (full decode), then read through short ffmpeg runs that start at the exact
 * frame; frames are kept in a byte-bounded LRU cache. Host-neutral: no Electron.
 */
export class MediaService {
  private readonly cache: FrameCache
  private readonly clips = new Map<string, Promise<OpenClip>>()
  private readonly inFlight = new Map<string, Promise<DecodedFrame[]>>()
  private ffmpegPath: Promise<string> | null = null
  /** Frames decoded per ffmpeg run when a video frame is not cached. */
  readonly readAhead: number

  constructor(private readonly options: MediaServiceOptions = {}) {
    this.cache = new FrameCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES)
    this.readAhead = Math.max(1, options.readAhead ?? DEFAULT_READ_AHEAD)
  }

  /**
   * Opens (and for videos, indexes) a clip once; later calls reuse the result, including the
   * frame rate the first caller gave (a dataset import sets its rate for its image folders).
   */
  async open(path: string, options: OpenClipOptions = {}): Promise<ClipInfo> {
    const clip = await this.openInternal(path, options)
    return options.fps && options.fps !== clip.info.fps ? { ...clip.info, fps: options.fps } : clip.info
  }

  /** Presentation time of every frame of a video, seconds (null for image folders: they carry none). */
  async frameTimes(path: string): Promise<readonly number[] | null> {
    return (await this.openInternal(path, {})).video?.times ?? null
  }

  /** Warnings from opening the clip (decoder complaints, files left out of a sequence). */
  async warnings(path: string): Promise<string[]> {
    return (await this.openInternal(path, {})).warnings
  }

  async readFrame(path: string, index: number, mode: FrameMode = 'gray', options: ReadFramesOptions = {}): Promise<DecodedFrame> {
    const [frame] = await this.readFrames(path, index, 1, mode, options)
    return frame!
  }

  /** Reads the frame whose dataset number is `frameNumber` (`img46.jpg` → 46). */
  async readFrameByNumber(path: string, frameNumber: number, mode: FrameMode = 'gray'): Promise<DecodedFrame> {
    const clip = await this.openInternal(path, {})
    return this.readFrame(path, indexOfFrameNumber(clip.info, frameNumber), mode)
  }

  /** Reads `count` consecutive frames from `start`; cached frames are reused, the gaps decoded in runs. */
  async readFrames(path: string, start: number, count: number, mode: FrameMode = 'gray', { cache = this.cache }: ReadFramesOptions = {}): Promise<DecodedFrame[]> {
    const clip = await this.openInternal(path, {})
    const { frameCount } = clip.info
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > frameCount) {
      throw new StudioError('media/missing-frames', `Frames ${start}..${start + count - 1} are outside ${path} (0..${frameCount - 1})`)
    }
    if (!clip.video) return this.readSequenceFrames(path, clip, start, count, mode, cache)
    const result: DecodedFrame[] = []
    for (let i = start; i < start + count; i++) {
      const cached = cache.get(cacheKey(path, mode, i))
      if (cached) {
        result.push(cached)
        continue
      }
      const run = Math.min(Math.max(this.readAhead, start + count - i), frameCount - i)
      const keyframe = keyframeBefore(clip.video, i)
      const from = i - keyframe <= MAX_BACKFILL ? keyframe : i
      const decoded = (await this.decodeRun(path, clip, from, run + i - from, mode, cache)).slice(i - from)
      result.push(decoded[0]!)
      // Frames of the run that this call needs are taken straight from the run.
      for (let k = 1; k < decoded.length && i + k < start + count; k++) result.push(decoded[k]!)
      i += Math.min(decoded.length, start + count - i) - 1
    }
    return result
  }

  private async readSequenceFrames(path: string, clip: OpenClip, start: number, count: number, mode: FrameMode, cache: FrameCache): Promise<DecodedFrame[]> {
    const result = new Array<DecodedFrame>(count)
    let next = 0
    const worker = async () => {
      while (next < count) {
        const k = next++
        result[k] = cache.get(cacheKey(path, mode, start + k)) ?? (await this.decodeRun(path, clip, start + k, 1, mode, cache))[0]!
      }
    }
    await Promise.all(Array.from({ length: Math.min(SEQUENCE_CONCURRENCY, count) }, worker))
    return result
  }

  /**
   * Every frame of a clip in order, grey, `shrink` times smaller on each side (an integer ≥ 1;
   * floor(size / shrink) pixels), decoded once by one ffmpeg process and not cached: for
   * whole-video analysis in bounded memory (a few frames ahead).
   */
  async *streamGray(path: string, options: { shrink?: number; signal?: AbortSignal } = {}): AsyncGenerator<DecodedFrame> {
    const clip = await this.openInternal(path, {})
    const shrink = Math.max(1, Math.floor(options.shrink ?? 1))
    const width = Math.max(1, Math.floor(clip.info.width / shrink))
    const height = Math.max(1, Math.floor(clip.info.height / shrink))
    const source: GrayStreamSource = clip.video ? { kind: 'video', path } : { kind: 'files', folder: path, files: clip.sequence!.files }
    const deps = { ffmpeg: await this.ffmpeg(), spawn: this.options.spawn, signal: options.signal }
    yield* streamGrayFrames(source, clip.info, width, height, clip.info.frameCount, deps)
  }

  /** A PNG thumbnail of one frame, longest side `maxSide` pixels. */
  async thumbnail(path: string, index: number, maxSide = 160): Promise<Buffer> {
    const frame = await this.readFrame(path, index, 'rgb')
    return sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } })
      .resize(maxSide, maxSide, { fit: 'inside' })
      .png({ compressionLevel: 3 })
      .toBuffer()
  }

  /** `count` evenly spaced frames side by side, each `height` pixels high, as one PNG. */
  async filmstrip(path: string, count = 10, height = 64): Promise<{ png: Buffer; indices: number[]; tileWidth: number }> {
    const { info } = await this.openInternal(path, {})
    const n = Math.max(1, Math.min(count, info.frameCount))
    const indices = Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * (info.frameCount - 1)) / (n - 1))))
    const tileWidth = Math.max(1, Math.round((info.width * height) / Math.max(1, info.height)))
    const tiles: Buffer[] = []
    for (const index of indices) {
      const frame = await this.readFrame(path, index, 'rgb')
      tiles.push(
        await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } })
          .resize(tileWidth, height, { fit: 'fill' })
          .raw()
          .toBuffer(),
      )
    }
    const png = await sharp({ create: { width: tileWidth * n, height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite(tiles.map((tile, i) => ({ input: tile, raw: { width: tileWidth, height, channels: 3 as const }, left: i * tileWidth, top: 0 })))
      .png({ compressionLevel: 3 })
      .toBuffer()
    return { png, indices, tileWidth }
  }

  /** Encodes a decoded frame as PNG (for the media route and `me-studio frames`). */
  static encodePng(frame: DecodedFrame): Promise<Buffer> {
    const image = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } })
    return (frame.channels === 1 ? image.toColourspace('b-w') : image)
      .png({ compressionLevel: 3 })
      .toBuffer()
  }

  cacheStats() {
    return this.cache.stats()
  }

  /** Forgets a clip's index and cached frames (after the file changed on disk). */
  forget(path: string): void {
    this.clips.delete(path)
    this.cache.deletePrefix(`${path}\0`)
  }

  private openInternal(path: string, options: OpenClipOptions): Promise<OpenClip> {
    let clip = this.clips.get(path)
    if (clip) {
      this.clips.delete(path) // most recently used last
    } else {
      const loading = this.load(path, options)
      // A failed open is not cached: the user may fix the file and retry.
      loading.catch(() => {
        if (this.clips.get(path) === loading) this.clips.delete(path)
      })
      clip = loading
    }
    this.clips.set(path, clip)
    for (const oldest of this.clips.keys()) {
      if (this.clips.size <= MAX_OPEN_CLIPS) break
      this.clips.delete(oldest)
    }
    return clip
  }

  private async load(path: string, options: OpenClipOptions): Promise<OpenClip> {
    const info = await stat(path).catch(() => null)
    if (!info) throw new StudioError('not-found', `No such clip: ${path}`)
    if (info.isDirectory()) return this.loadSequence(path, options)
    if (!isVideoFile(path)) throw new StudioError('media/unsupported', `Not a video or image folder: ${path}`)
    const video = await this.videoIndex(path, info.size, info.mtimeMs, options.signal)
    return {
      info: {
        kind: 'video',
        path,
        fps: options.fps ?? video.fps,
        frameCount: video.frameCount,
        width: video.width,
        height: video.height,
        frameNumbers: Array.from({ length: video.frameCount }, (_, i) => i),
      },
      video,
      warnings: video.warnings,
    }
  }

  private async loadSequence(folder: string, options: OpenClipOptions): Promise<OpenClip> {
    const sequence = await listSequence(folder)
    if (sequence.files.length === 0) throw new StudioError('media/missing-frames', `No image frames in ${folder}`)
    const { width, height } = await imageSize(join(folder, sequence.files[0]!))
    return {
      info: {
        kind: 'frames',
        path: folder,
        fps: options.fps ?? DEFAULT_SEQUENCE_FPS,
        frameCount: sequence.files.length,
        width,
        height,
        frameNumbers: sequence.frameNumbers,
        files: sequence.files,
      },
      sequence,
      warnings: sequence.skipped.map((s) => `${s.file}: ${s.reason}`),
    }
  }

  private async videoIndex(path: string, size: number, mtimeMs: number, signal: AbortSignal | undefined): Promise<VideoIndex> {
    const dir = this.options.indexCacheDir
    const file = dir ? join(dir, `${createHash('sha256').update(`${INDEX_CACHE_VERSION}\0${path}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 32)}.json`) : null
    if (file) {
      const cached = await readFile(file, 'utf8').then((text) => JSON.parse(text) as VideoIndex, () => null)
      if (cached && cached.frameCount === cached.times?.length && Array.isArray(cached.keyframes)) return cached
    }
    const index = await indexVideo(path, { ffmpeg: await this.ffmpeg(), spawn: this.options.spawn, signal })
    if (file && dir) {
      // A cache that cannot be written (read-only folder, full disk) only costs a re-index next time.
      const temporary = `${file}.${process.pid}.tmp`
      await mkdir(dir, { recursive: true })
        .then(() => writeFile(temporary, JSON.stringify(index)))
        .then(() => rename(temporary, file))
        .catch(() => undefined)
    }
    return index
  }

  private decodeRun(path: string, clip: OpenClip, start: number, count: number, mode: FrameMode, cache: FrameCache): Promise<DecodedFrame[]> {
    const key = `${cacheKey(path, mode, start)}:${count}`
    let pending = this.inFlight.get(key)
    if (!pending) {
      pending = (async () => {
        const frames = clip.video
          ? await decodeVideoFrames(path, clip.video, start, count, mode, { ffmpeg: await this.ffmpeg(), spawn: this.options.spawn })
          : [await this.decodeSequenceFrame(clip, start, mode)]
        frames.forEach((frame, k) => cache.set(cacheKey(path, mode, start + k), frame))
        return frames
      })().finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, pending)
    }
    return pending
  }

  private async decodeSequenceFrame(clip: OpenClip, index: number, mode: FrameMode): Promise<DecodedFrame> {
    const frame = await decodeImage(join(clip.info.path, clip.sequence!.files[index]!), mode)
    if (frame.width !== clip.info.width || frame.height !== clip.info.height) {
      throw new StudioError('media/corrupt', `${clip.sequence!.files[index]} is ${frame.width}×${frame.height}, the clip is ${clip.info.width}×${clip.info.height}`)
    }
    return frame
  }

  private ffmpeg(): Promise<string> {
    this.ffmpegPath ??= (this.options.ffmpeg ?? (() => requireFfmpeg()))()
    this.ffmpegPath.catch(() => (this.ffmpegPath = null))
    return this.ffmpegPath
  }
}

/** Position of a dataset frame number in the clip, or `media/missing-frames`. */
export function indexOfFrameNumber(clip: ClipInfo, frameNumber: number): number {
  const index = indexOfFrameNumberIn(clip.frameNumbers, frameNumber)
  if (index !== null) return index
  throw new StudioError('media/missing-frames', `Frame ${frameNumber} is not in ${clip.path}`)
}

function cacheKey(path: string, mode: FrameMode, index: number): string {
  return `${path}\0${mode}:${index}`
}
