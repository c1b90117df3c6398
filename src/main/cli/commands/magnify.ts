import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { MAGNIFY_METHODS, MagnifyRequestSchema, type MagnifyRequestInput } from '@shared/ipc/channels/motion'
import { checkExportFile, checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { moveIntoPlace } from '../../services/fs-atomic'
import { runFfmpeg } from '../../services/media'
import { rgbPng } from '../../services/motion'
import { EXIT, UsageError, intOption, stringOption, type CommandRun } from '../command'
import { withStudio } from './cli-studio'
import { cropOption, numberOption } from './clip-options'
import { parseRequest } from './request'

/** Request fields → the flags that set them, for error messages. */
const FLAGS = { alpha: '--alpha', levels: '--levels', lambdaC: '--lambda-c', chromaAttenuation: '--chroma', 'filter.r1': '--r1', 'filter.r2': '--r2', 'filter.lowHz': '--low', 'filter.highHz': '--high', count: '--count', start: '--start', crop: '--crop' }

export const run: CommandRun = async ({ values, positionals }, io) => {
  const method = stringOption(values, 'method') ?? 'eulerian'
  if (!(MAGNIFY_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${MAGNIFY_METHODS.join(', ')}, got ${method}`)
  const out = resolve(io.cwd, stringOption(values, 'out', true))
  const crop = stringOption(values, 'crop')
  const overwrite = values.force === true
  const mp4 = out.toLowerCase().endsWith('.mp4')
  if (mp4) await checkExportFile(out, ['.mp4'], overwrite)
  else await checkExportFolder(out, overwrite)
  const number = (name: string): number | undefined => (values[name] === undefined ? undefined : numberOption(values, name, 0))
  const fps = number('fps')
  const filter = parseFilter(values)

  return withStudio(io, async (studio) => {
    const clipPath = resolve(io.cwd, positionals[0]!)
    // Image folders carry no frame rate: the first open sets it for the service's reads too.
    const clip = await studio.frames.open(clipPath, fps ? { fps } : {})
    const start = intOption(values, 'start', 0)
    const input: MagnifyRequestInput = {
      clipPath,
      start,
      count: intOption(values, 'count', clip.frameCount - start),
      method: method as MagnifyRequestInput['method'],
      alpha: number('alpha'),
      levels: values.levels === undefined ? undefined : intOption(values, 'levels', 0),
      lambdaC: number('lambda-c'),
      chromaAttenuation: number('chroma'),
      filter,
      crop: crop === undefined ? null : cropOption(crop),
    }
    const request = parseRequest(MagnifyRequestSchema, input, FLAGS)
    const started = performance.now()
    const { summary, frames } = await studio.motion.magnify(request)
    const ms = Math.round(performance.now() - started)
    const { width, height } = summary
    if (mp4) await writeMp4(frames, out, width, height, clip.fps, overwrite)
    else await writePngs(frames, out, width, height)
    const shownFilter = request.filter.kind === 'iir' ? request.filter : { kind: 'ideal', fps: clip.fps, low: request.filter.lowHz, high: request.filter.highHz }
    const result = { clip: clip.path, method, alpha: request.alpha, filter: shownFilter, frames: frames.length, width, height, fps: clip.fps, ms, out }
    if (values.json) io.stdout(JSON.stringify(result) + '\n')
    else io.stdout(`magnified ${result.frames} frames ${width}x${height} (${method}, alpha ${request.alpha}, ${shownFilter.kind}) in ${ms} ms → ${out}\n`)
    return EXIT.ok
  })
}

function parseFilter(values: Record<string, unknown>): MagnifyRequestInput['filter'] {
  const kind = stringOption(values, 'filter') ?? 'iir'
  if (kind === 'iir') {
    return { kind: 'iir', ...(values.r1 === undefined ? {} : { r1: numberOption(values, 'r1', 0) }), ...(values.r2 === undefined ? {} : { r2: numberOption(values, 'r2', 0) }) }
  }
  if (kind !== 'ideal') throw new UsageError(`--filter must be iir or ideal, got ${kind}`)
  if (values.low === undefined || values.high === undefined) throw new UsageError('--filter ideal needs --low and --high (Hz)')
  return { kind: 'ideal', lowHz: numberOption(values, 'low', 0), highHz: numberOption(values, 'high', 0) }
}

async function writePngs(frames: Uint8Array[], dir: string, width: number, height: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (let i = 0; i < frames.length; i++) {
    const name = `${String(i).padStart(5, '0')}.png`
    // Written under a temporary name and renamed, so a reader never sees half a file.
    const tmp = join(dir, `.${name}.tmp`)
    await writeFile(tmp, await rgbPng(frames[i]!, width, height))
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
