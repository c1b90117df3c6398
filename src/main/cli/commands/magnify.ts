import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import sharp from 'sharp'
import { StudioError } from '@shared/ipc'
import { checkExportFile, checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { moveIntoPlace } from '../../services/fs-atomic'
import { runFfmpeg } from '../../services/media'
import type { RgbImage } from '../../vision/color'
import { EULERIAN_DEFAULTS, magnifyEulerianRgb, type TemporalFilter } from '../../vision/magnify-eulerian'
import { magnifyRieszRgb } from '../../vision/magnify-riesz'
import { IIR_DEFAULTS } from '../../vision/temporal'
import { EXIT, UsageError, intOption, stringOption, type CommandRun } from '../command'
import { alignOn } from '../../services/motion/face-alignment'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { warpSimilarityRgb } from '../../vision/face/align'
import { cropOption, loadClip, numberOption, rgbOf } from './clip-vision'

export const run: CommandRun = async ({ values, positionals }, io) => {
  const method = stringOption(values, 'method') ?? 'eulerian'
  if (method !== 'eulerian' && method !== 'riesz') throw new UsageError(`--method must be eulerian or riesz, got ${method}`)
  const out = resolve(io.cwd, stringOption(values, 'out', true))
  const alpha = numberOption(values, 'alpha', EULERIAN_DEFAULTS.alpha)
  if (!(alpha >= 0 && alpha <= 200)) throw new UsageError('--alpha must be in 0–200')
  const levels = intOption(values, 'levels', EULERIAN_DEFAULTS.levels)
  const crop = stringOption(values, 'crop')
  const side = crop === undefined ? undefined : cropOption(crop)
  const overwrite = values.force === true
  const mp4 = out.toLowerCase().endsWith('.mp4')
  if (mp4) await checkExportFile(out, ['.mp4'], overwrite)
  else await checkExportFolder(out, overwrite)

  const clip = await loadClip(positionals[0]!, io, values, 'rgb')
  const filter = parseFilter(values, clip.info.fps)
  let frames: RgbImage[] = clip.frames.map(rgbOf)
  if (side !== undefined) {
    // Face detection runs in a vision worker, as in the app (one worker: a single image).
    const pool = new VisionPool({ ...visionWorkerLocation(), size: 1 })
    const alignment = await alignOn(frames[0]!, side, pool).finally(() => pool.destroy())
    if (!alignment) throw new StudioError('invalid-input', `No face found on frame ${clip.start}; run without --crop`)
    frames = frames.map((f) => warpSimilarityRgb(f, alignment.transform, alignment.side))
  }
  const started = performance.now()
  const magnified =
    method === 'eulerian'
      ? magnifyEulerianRgb(frames, {
          alpha,
          levels,
          filter,
          lambdaC: numberOption(values, 'lambda-c', EULERIAN_DEFAULTS.lambdaC),
          chromaAttenuation: numberOption(values, 'chroma', EULERIAN_DEFAULTS.chromaAttenuation),
        })
      : magnifyRieszRgb(frames, { alpha, levels, filter })
  const ms = Math.round(performance.now() - started)
  const { width, height } = magnified[0]!
  const bytes = magnified.map(toBytes)
  if (mp4) await writeMp4(bytes, out, width, height, clip.info.fps, overwrite)
  else await writePngs(bytes, out, width, height)

  const summary = { clip: clip.info.path, method, alpha, filter, frames: magnified.length, width, height, fps: clip.info.fps, ms, out }
  if (values.json) io.stdout(JSON.stringify(summary) + '\n')
  else
    io.stdout(`magnified ${summary.frames} frames ${width}x${height} (${method}, alpha ${alpha}, ${filter.kind}) in ${ms} ms → ${out}\n`)
  return EXIT.ok
}

function parseFilter(values: Record<string, unknown>, fps: number): TemporalFilter {
  const kind = stringOption(values, 'filter') ?? 'iir'
  if (kind === 'iir') {
    const r1 = numberOption(values, 'r1', IIR_DEFAULTS.r1)
    const r2 = numberOption(values, 'r2', IIR_DEFAULTS.r2)
    if (!(r1 > 0 && r1 <= 1 && r2 > 0 && r2 <= 1)) throw new UsageError('--r1 and --r2 must be in (0, 1]')
    return { kind: 'iir', r1, r2 }
  }
  if (kind !== 'ideal') throw new UsageError(`--filter must be iir or ideal, got ${kind}`)
  if (values.low === undefined || values.high === undefined) throw new UsageError('--filter ideal needs --low and --high (Hz)')
  const low = numberOption(values, 'low', 0)
  const high = numberOption(values, 'high', 0)
  if (!(low >= 0 && high >= low && high <= fps / 2)) throw new UsageError(`need 0 ≤ --low ≤ --high ≤ fps/2 (${fps / 2} Hz)`)
  return { kind: 'ideal', fps, low, high }
}

function toBytes(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.data.length)
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i]!)
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  return out
}

async function writePngs(frames: Uint8Array[], dir: string, width: number, height: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (let i = 0; i < frames.length; i++) {
    const name = `${String(i).padStart(5, '0')}.png`
    // Written under a temporary name and renamed, so a reader never sees half a file.
    const tmp = join(dir, `.${name}.tmp`)
    await sharp(frames[i]!, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 3 })
      .toFile(tmp)
    await rename(tmp, join(dir, name))
  }
}

async function writeMp4(frames: Uint8Array[], path: string, width: number, height: number, fps: number, overwrite: boolean): Promise<void> {
  if (width % 2 || height % 2)
    throw new StudioError(
      'invalid-input',
      `H.264 (yuv420p) needs even sizes, got ${width}x${height}; write PNG frames or use an even --crop`,
    )
  const ffmpeg = await requireFfmpeg()
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp.mp4`
  const result = await runFfmpeg({
    ffmpeg,
    input: frames,
    // prettier-ignore
    args: [
      '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-pix_fmt', 'yuv420p',
      tmp,
    ],
  })
  try {
    if (result.exitCode !== 0) throw new StudioError('internal', `ffmpeg failed to encode ${path}: ${result.stderrTail}`)
    await moveIntoPlace(tmp, path, { overwrite })
  } finally {
    await rm(tmp, { force: true })
  }
}
