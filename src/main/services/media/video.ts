import { open, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { StderrTail, defaultSpawn, runFfmpeg, type SpawnFunction } from './ffmpeg-process'
import { channelsOf, type DecodedFrame, type FrameMode } from './frame'

export const VIDEO_EXTENSIONS = ['.mp4', '.avi', '.mov', '.mkv'] as const

/** What one full decode of a video tells us: exact frame count and every frame's timestamp. */
export interface VideoIndex {
  width: number
  height: number
  /** Stream frame rate from the container (average rate when variable). */
  fps: number
  frameCount: number
  /** Presentation time of each decoded frame, seconds from the stream start. */
  times: number[]
  /** Indices of the keyframes, ascending (decoding any frame starts at the one before it). */
  keyframes: number[]
  /** Decoder complaints on a file that still decoded (e.g. a damaged tail): reported, not fatal. */
  warnings: string[]
}

export interface VideoDeps {
  ffmpeg: string
  spawn?: SpawnFunction
  signal?: AbortSignal
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[\d.e+-]+)/
const KEYFRAME = /\b(?:is)?key:\s*1\b/
const TIME_BASE = /config in time_base:\s*(\d+)\/(\d+)/
const STREAM = /Stream #\d+:\d+.*?: Video: .*?, (\d{2,5})x(\d{2,5})[\s,[]/
const STREAM_FPS = /, ([\d.]+) (?:fps|tbr)\b/
const DURATION = /^\s*Duration:\s*(\d+):(\d+):([\d.]+)/
const DECODE_WARNING = /error|invalid|corrupt|truncat|missing|concealing/i

/**
 * Decodes the whole video once (`-vf showinfo -f null`) to count frames exactly and record each
 * frame's timestamp; frame-exact seeks use those timestamps. ffprobe is not needed (and
 * @ffmpeg-installer/ffmpeg does not ship it).
 */
export async function indexVideo(path: string, deps: VideoDeps): Promise<VideoIndex> {
  const info = await stat(path).catch(() => null)
  if (!info) throw new StudioError('not-found', `No such video: ${path}`)
  if (!info.isFile()) throw new StudioError('media/unsupported', `Not a file: ${path}`)
  if (info.size === 0) throw new StudioError('media/corrupt', `Empty video file (0 bytes): ${path}`)
  if (!(await looksLikeVideoContainer(path))) {
    throw new StudioError('media/unsupported', `Not a video file (content is no MP4/MOV, AVI or Matroska container; wrong extension?): ${path}`)
  }

  const ptsByFrame: { pts: number; time: number; key: boolean }[] = []
  let timeBase: number | null = null
  let width = 0
  let height = 0
  let fps = 0
  let declaredSeconds: number | null = null
  const warnings: string[] = []
  const result = await runFfmpeg({
    ffmpeg: deps.ffmpeg,
    spawn: deps.spawn,
    signal: deps.signal,
    args: ['-i', path, '-map', '0:v:0', '-an', '-sn', '-vf', 'showinfo', '-f', 'null', '-'],
    onStderrLine: (line) => {
      const frame = SHOWINFO.exec(line)
      if (frame) {
        ptsByFrame[Number(frame[1])] = { pts: Number(frame[2]), time: Number(frame[3]), key: KEYFRAME.test(line) }
        return
      }
      const duration = DURATION.exec(line)
      if (duration && declaredSeconds === null) declaredSeconds = Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3])
      const base = TIME_BASE.exec(line)
      if (base && timeBase === null) timeBase = Number(base[1]) / Number(base[2])
      const stream = STREAM.exec(line)
      if (stream && width === 0) {
        width = Number(stream[1])
        height = Number(stream[2])
        const rate = STREAM_FPS.exec(line)
        if (rate) fps = Number(rate[1])
      }
      if (DECODE_WARNING.test(line) && warnings.length < 20) warnings.push(line.trim())
    },
  })
  if (deps.signal?.aborted) throw new StudioError('cancelled', 'Video indexing cancelled')
  const frames = ptsByFrame.filter(Boolean)
  if (frames.length === 0 || width === 0) throw classifyFailure(path, result.stderrTail, result.exitCode)
  const base = (timeBase as number | null) ?? inferTimeBase(frames)
  const times = frames.map((f) => (base !== null ? f.pts * base : f.time))
  if (!(fps > 0)) fps = estimateFps(times)
  const keyframes = frames.flatMap((f, i) => (f.key ? [i] : []))
  if (keyframes[0] !== 0) keyframes.unshift(0)
  // A file cut short (moov first, mdat truncated) decodes fewer frames than its header promises.
  const declared = declaredSeconds as number | null
  const expectedFrames = declared !== null ? Math.round(declared * fps) : null
  if (expectedFrames !== null && frames.length < 0.95 * expectedFrames - 1) {
    warnings.unshift(`truncated: the container declares ${declared!.toFixed(3)} s (~${expectedFrames} frames) but only ${frames.length} frames decode`)
  }
  return {
    width,
    height,
    fps,
    frameCount: frames.length,
    times,
    keyframes,
    warnings: result.exitCode === 0 ? warnings : [...warnings, `ffmpeg exited with ${result.exitCode}`],
  }
}

/**
 * Older ffmpeg builds do not print the filter's time base, and `pts_time` has only six
 * significant digits (too coarse to tell 200 fps frames apart after ~20 minutes). The integer
 * pts are exact: recover the time base 1/den from the frame with the largest pts.
 */
function inferTimeBase(frames: { pts: number; time: number }[]): number | null {
  const last = frames.reduce((best, f) => (Math.abs(f.pts) > Math.abs(best.pts) ? f : best), frames[0]!)
  if (!last || last.pts === 0 || last.time === 0) return null
  const den = Math.round(last.pts / last.time)
  const consistent = frames.every((f) => Math.abs(f.pts / den - f.time) <= 1e-3 * Math.max(1, Math.abs(f.time)))
  return consistent && den > 0 ? 1 / den : null
}

/** The keyframe at or before `index`: where a decode that must produce `index` starts anyway. */
export function keyframeBefore(index: VideoIndex, frame: number): number {
  let lo = 0
  let hi = index.keyframes.length - 1
  let best = 0
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (index.keyframes[mid]! <= frame) {
      best = index.keyframes[mid]!
      lo = mid + 1
    } else hi = mid - 1
  }
  return best
}

/** Container signatures: ISO BMFF box at byte 4 (MP4/MOV), RIFF…AVI (AVI), EBML (Matroska/WebM). */
async function looksLikeVideoContainer(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(12)
    const { bytesRead } = await handle.read(head, 0, 12, 0)
    if (bytesRead < 8) return false
    const box = head.toString('latin1', 4, 8)
    if (['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip', 'pnot'].includes(box)) return true
    if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'AVI ') return true
    return head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3
  } finally {
    await handle.close()
  }
}

function estimateFps(times: number[]): number {
  if (times.length < 2) return 30
  const span = times[times.length - 1]! - times[0]!
  return span > 0 ? (times.length - 1) / span : 30
}

/** Maps ffmpeg's complaint to the contract's error codes. */
export function classifyFailure(path: string, stderrTail: string, exitCode: number | null): StudioError {
  const tail = stderrTail.trim().split('\n').slice(-4).join(' | ')
  if (/moov atom not found|Truncated|End of file|partial file|could not find codec parameters/i.test(stderrTail)) {
    return new StudioError('media/corrupt', `Truncated or damaged video: ${path} (${tail})`, { stderr: stderrTail })
  }
  if (/Invalid data found when processing input|Unknown input format|does not contain any stream|Output file #0 does not contain/i.test(stderrTail)) {
    return new StudioError('media/unsupported', `Not a readable video (wrong extension or unknown format): ${path} (${tail})`, { stderr: stderrTail })
  }
  return new StudioError('media/corrupt', `No video frames could be decoded from ${path} (exit ${exitCode}: ${tail})`, { stderr: stderrTail })
}

/**
 * Decodes `count` frames starting at 0-based `start`. The seek goes to the midpoint between
 * frame start−1 and frame start, so ffmpeg's accurate seek drops everything before `start` and
 * the first frame out is exactly `start`, whatever the keyframe spacing or frame-rate changes.
 * (Both `-ss` and the indexed times are relative to the file's start time.)
 */
export async function decodeVideoFrames(
  path: string,
  index: VideoIndex,
  start: number,
  count: number,
  mode: FrameMode,
  deps: VideoDeps,
): Promise<DecodedFrame[]> {
  if (!Number.isInteger(start) || start < 0 || start + count > index.frameCount || count < 1) {
    throw new StudioError('media/missing-frames', `Frames ${start}..${start + count - 1} are outside ${path} (0..${index.frameCount - 1})`)
  }
  const channels = channelsOf(mode)
  const frameBytes = index.width * index.height * channels
  const seek = start === 0 ? [] : ['-ss', ((index.times[start - 1]! + index.times[start]!) / 2).toFixed(6)]
  const chunks: Buffer[] = []
  let received = 0
  const result = await runFfmpeg({
    ffmpeg: deps.ffmpeg,
    spawn: deps.spawn,
    signal: deps.signal,
    args: [
      ...seek,
      '-i', path,
      '-map', '0:v:0', '-an', '-sn',
      '-frames:v', String(count),
      '-vsync', 'passthrough',
      '-f', 'rawvideo', '-pix_fmt', mode === 'gray' ? 'gray' : 'rgb24',
      'pipe:1',
    ],
    onStdout: (chunk) => {
      chunks.push(chunk)
      received += chunk.byteLength
    },
  })
  if (deps.signal?.aborted) throw new StudioError('cancelled', 'Decoding cancelled')
  const available = Math.floor(received / frameBytes)
  if (available < count) {
    if (available === 0 && result.exitCode !== 0) throw classifyFailure(path, result.stderrTail, result.exitCode)
    throw new StudioError('media/missing-frames', `${path}: decoded ${available} of frames ${start}..${start + count - 1}`, { stderr: result.stderrTail })
  }
  const all = Buffer.concat(chunks, received)
  const frames: DecodedFrame[] = []
  for (let i = 0; i < count; i++) {
    // Copy each frame out so the cache never pins the whole chunk.
    const data = new Uint8Array(frameBytes)
    data.set(all.subarray(i * frameBytes, (i + 1) * frameBytes))
    frames.push({ width: index.width, height: index.height, channels, data })
  }
  return frames
}

/** Frames buffered ahead of the consumer before ffmpeg's output is paused. */
const STREAM_BUFFER_FRAMES = 8

/** What `streamGrayFrames` decodes: a video file, or image files in order (ffmpeg's concat list on stdin). */
export type GrayStreamSource = { kind: 'video'; path: string } | { kind: 'files'; folder: string; files: readonly string[] }

/**
 * Every frame in order, grey, from one ffmpeg process, scaled to `width`×`height` (area
 * averaging) when that differs from `source` size. Image files go through ffmpeg too: its JPEG
 * decoder costs a fifth of the CPU of decoding them one by one through libvips. The pipe is
 * paused while the consumer lags, so memory holds a few frames whatever the length. Ends early
 * with `media/missing-frames` (the frames so far already delivered) when the decoder stops
 * before `expected` frames.
 */
export async function* streamGrayFrames(
  source: GrayStreamSource,
  size: { width: number; height: number },
  width: number,
  height: number,
  expected: number,
  deps: VideoDeps,
): AsyncGenerator<DecodedFrame> {
  const frameBytes = width * height
  const scale = width !== size.width || height !== size.height ? ['-vf', `scale=${width}:${height}:flags=area`] : []
  const input = source.kind === 'video' ? ['-nostdin', '-i', source.path] : ['-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe', '-i', 'pipe:0']
  const path = source.kind === 'video' ? source.path : source.folder
  const child = (deps.spawn ?? defaultSpawn)(deps.ffmpeg, [
    '-hide_banner', ...input, '-map', '0:v:0', '-an', '-sn', '-vsync', 'passthrough', ...scale, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1',
  ])
  child.stdin.on('error', () => undefined)
  if (source.kind === 'files') {
    // ffconcat quoting: inside '…' a quote is written '\''.
    child.stdin.end(source.files.map((f) => `file '${join(source.folder, f).replaceAll("'", "'\\''")}'\n`).join(''))
  }
  const tail = new StderrTail()
  const pending: Buffer[] = []
  let buffered = 0
  let closed = false
  let exitCode: number | null = null
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const notify = () => {
    const w = wake
    wake = null
    w?.()
  }
  child.stderr.on('data', (chunk: Buffer) => tail.push(chunk))
  child.stdout.on('data', (chunk: Buffer) => {
    pending.push(chunk)
    buffered += chunk.byteLength
    if (buffered > STREAM_BUFFER_FRAMES * frameBytes) child.stdout.pause()
    notify()
  })
  child.on('error', (error) => {
    failure = error
    closed = true
    notify()
  })
  child.on('close', (code) => {
    exitCode = code
    closed = true
    notify()
  })
  const abort = () => child.kill('SIGKILL')
  deps.signal?.addEventListener('abort', abort, { once: true })
  let delivered = 0
  try {
    for (;;) {
      if (buffered >= frameBytes) {
        const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, buffered)
        pending.length = 0
        let offset = 0
        const frames: DecodedFrame[] = []
        for (; buffered - offset >= frameBytes; offset += frameBytes) {
          frames.push({ width, height, channels: 1, data: new Uint8Array(all.subarray(offset, offset + frameBytes)) })
        }
        if (offset < buffered) pending.push(all.subarray(offset))
        buffered -= offset
        child.stdout.resume()
        for (const frame of frames) {
          delivered++
          yield frame
        }
        continue
      }
      if (closed) break
      await new Promise<void>((resolve) => (wake = resolve))
    }
    if (deps.signal?.aborted) throw new StudioError('cancelled', 'Decoding cancelled')
    if (failure) throw new StudioError('media/ffmpeg-missing', `ffmpeg could not run: ${(failure as Error).message}`)
    if (delivered < expected) {
      if (delivered === 0) throw classifyFailure(path, tail.toString(), exitCode)
      throw new StudioError('media/missing-frames', `${path}: the decoder stopped after ${delivered} of ${expected} frames`, { stderr: tail.toString(), delivered })
    }
  } finally {
    deps.signal?.removeEventListener('abort', abort)
    if (!closed) child.kill('SIGKILL')
  }
}
