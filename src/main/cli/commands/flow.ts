import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { FLOW_METHODS, type FlowMethod } from '@shared/ipc/channels/motion-params'
import { checkExportFile } from '../../services/export/target'
import { writeFileAtomic } from '../../services/fs-atomic'
import type { decodeImage as DecodeImage } from '../../services/media/image-sequence'
import { writeFlo } from '../../vision/flo'
import { grayFromPixels, type GrayImage } from '../../vision/image'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'

/**
 * One flow through the motion service's `flowOfFrames` (as the app's Flow view computes it) on a
 * vision pool of one worker, without the rest of the studio (projects, models, SQLite). The worker
 * starts first: its start-up overlaps the loading of sharp and the motion service and the
 * decoding of the images.
 */
export const run: CommandRun = async ({ values, positionals }, io) => {
  const method = stringOption(values, 'method') ?? 'tvl1'
  if (!(FLOW_METHODS as readonly string[]).includes(method)) throw new UsageError(`--method must be one of ${FLOW_METHODS.join(', ')}, got ${method}`)
  const size = parseSize(stringOption(values, 'size'))
  const outText = stringOption(values, 'out')
  const out = outText === undefined ? undefined : resolve(io.cwd, outText)
  const overwrite = values.force === true
  if (out) await checkExportFile(out, ['.flo'], overwrite)
  const pool = new VisionPool({ ...visionWorkerLocation(), size: 1 })
  pool.warm()
  try {
    const [{ decodeImage }, { MediaService }, { MotionService }] = await Promise.all([
      import('../../services/media/image-sequence'),
      import('../../services/media'),
      import('../../services/motion/motion-service'),
    ])
    const [a, b] = await Promise.all(positionals.map((p) => readGray(decodeImage, resolve(io.cwd, p))))
    if (!size && (a!.width !== b!.width || a!.height !== b!.height)) {
      throw new StudioError('invalid-input', `The frames differ in size (${a!.width}×${a!.height} vs ${b!.width}×${b!.height}); pass --size`)
    }
    const started = performance.now()
    const { flow, stats } = await new MotionService(new MediaService(), pool).flowOfFrames(method as FlowMethod, a!, b!, { size: size ?? undefined })
    const ms = Math.round(performance.now() - started)
    if (out) await writeFileAtomic(out, writeFlo(flow), { overwrite })
    if (values.json) {
      io.stdout(JSON.stringify({ width: flow.width, height: flow.height, method, mean: stats.mean, max: stats.max, median: stats.median, p95: stats.p95, ms }) + '\n')
    } else {
      io.stdout(`mean ${stats.mean.toFixed(4)} max ${stats.max.toFixed(4)} (px/frame, ${flow.width}x${flow.height}, ${method}, ${ms} ms)\n`)
    }
    return EXIT.ok
  } finally {
    await pool.destroy()
  }
}

function parseSize(text: string | undefined): { width: number; height: number } | null {
  if (text === undefined) return null
  const match = /^(\d+)x(\d+)$/i.exec(text)
  if (!match) throw new UsageError(`--size must look like 112x112, got ${text}`)
  const width = Number(match[1])
  const height = Number(match[2])
  if (width < 8 || height < 8 || width > 8192 || height > 8192) throw new UsageError(`--size ${text} is out of range (8–8192)`)
  return { width, height }
}

/** An image file as gray, decoded as the media layer decodes the frames of an image folder. */
async function readGray(decodeImage: typeof DecodeImage, path: string): Promise<GrayImage> {
  if (!(await stat(path).catch(() => null))?.isFile()) throw new StudioError('not-found', `No such image: ${path}`)
  const frame = await decodeImage(path, 'gray').catch((error: unknown) => {
    throw error instanceof StudioError && error.code !== 'media/corrupt' ? error : new StudioError('media/unsupported', `Cannot decode ${path} as an image (${(error as Error).message})`)
  })
  return grayFromPixels(frame.data, frame.width, frame.height, 1)
}
