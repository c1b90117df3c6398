import { resolve } from 'node:path'
import sharp from 'sharp'
import { StudioError } from '@shared/ipc/errors'
import { checkExportFile } from '../../services/export/target'
import { writeFileAtomic } from '../../services/fs-atomic'
import { farnebackFlow } from '../../vision/farneback'
import { writeFlo } from '../../vision/flo'
import { flowMagnitudeStats } from '../../vision/flow-color'
import { grayFromPixels, resizeBilinear, type GrayImage } from '../../vision/image'
import { TVL1_FLOW_PRESET, tvl1Flow } from '../../vision/tvl1'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'

export const run: CommandRun = async ({ values, positionals }, io) => {
  const method = stringOption(values, 'method') ?? 'tvl1'
  if (method !== 'tvl1' && method !== 'farneback') throw new UsageError(`--method must be tvl1 or farneback, got ${method}`)
  const size = parseSize(stringOption(values, 'size'))
  const outText = stringOption(values, 'out')
  const out = outText === undefined ? undefined : resolve(io.cwd, outText)
  const overwrite = values.force === true
  if (out) await checkExportFile(out, ['.flo'], overwrite)
  const [a, b] = await Promise.all(positionals.map((p) => readGray(resolve(io.cwd, p), size)))
  if (a!.width !== b!.width || a!.height !== b!.height) {
    throw new StudioError('invalid-input', `The frames differ in size (${a!.width}×${a!.height} vs ${b!.width}×${b!.height}); pass --size`)
  }
  const started = performance.now()
  const flow = method === 'tvl1' ? tvl1Flow(a!, b!, TVL1_FLOW_PRESET) : farnebackFlow(a!, b!)
  const ms = Math.round(performance.now() - started)
  const stats = flowMagnitudeStats(flow)
  if (out) await writeFileAtomic(out, writeFlo(flow), { overwrite })
  if (values.json) {
    io.stdout(JSON.stringify({ width: flow.width, height: flow.height, method, mean: stats.mean, max: stats.max, median: stats.median, p95: stats.p95, ms }) + '\n')
  } else {
    io.stdout(`mean ${stats.mean.toFixed(4)} max ${stats.max.toFixed(4)} (px/frame, ${flow.width}x${flow.height}, ${method}, ${ms} ms)\n`)
  }
  return EXIT.ok
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

async function readGray(path: string, size: { width: number; height: number } | null): Promise<GrayImage> {
  let decoded: { data: Buffer; info: { width: number; height: number } }
  try {
    decoded = await sharp(path).grayscale().raw().toBuffer({ resolveWithObject: true })
  } catch (error) {
    const message = (error as Error).message
    if (/no such file|missing/i.test(message)) throw new StudioError('not-found', `No such image: ${path}`)
    throw new StudioError('media/unsupported', `Cannot decode ${path} as an image (${message})`)
  }
  const image = grayFromPixels(decoded.data, decoded.info.width, decoded.info.height, 1)
  return size ? resizeBilinear(image, size.width, size.height) : image
}
