import { readdir, readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import sharp from './sharp'
import { StudioError } from '@shared/ipc/errors'
import { bmpSize, decodeBmp } from './bmp'
import { toMode, type DecodedFrame, type FrameMode } from './frame'

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp'] as const

export interface SequenceListing {
  /** File names in frame order. */
  files: string[]
  /** The number in each file name (`img46.jpg` → 46, `006_05562.jpg` → 5562), ascending. */
  frameNumbers: number[]
  /** Files left out: a duplicate number, or no number while the others have one. */
  skipped: { file: string; reason: string }[]
}

export function isImageFile(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())
}

/** The last run of digits in a file's base name: the frame number every dataset writes there. */
export function frameNumberFromName(name: string): number | null {
  const base = name.slice(0, name.length - extname(name).length)
  const match = /(\d+)(?!.*\d)/.exec(base)
  return match ? Number(match[1]) : null
}

/**
 * Orders the image files of a folder by the number in their names (numerically, so `img10`
 * follows `img9`). Folders whose files carry no numbers at all are ordered by name and numbered
 * from 0.
 */
export function orderFrameFiles(names: string[]): SequenceListing {
  const images = names.filter(isImageFile).sort()
  const numbered = images.map((file) => ({ file, number: frameNumberFromName(file) }))
  if (numbered.every((f) => f.number === null)) {
    return { files: images, frameNumbers: images.map((_, i) => i), skipped: [] }
  }
  const skipped: SequenceListing['skipped'] = []
  const byNumber = new Map<number, string>()
  for (const { file, number } of numbered) {
    if (number === null) skipped.push({ file, reason: 'no frame number in the file name' })
    else if (byNumber.has(number)) skipped.push({ file, reason: `frame number ${number} already taken by ${byNumber.get(number)}` })
    else byNumber.set(number, file)
  }
  const frameNumbers = [...byNumber.keys()].sort((a, b) => a - b)
  return { files: frameNumbers.map((n) => byNumber.get(n)!), frameNumbers, skipped }
}

export async function listSequence(folder: string): Promise<SequenceListing> {
  let names: string[]
  try {
    const entries = await readdir(folder, { withFileTypes: true })
    names = entries.filter((e) => e.isFile()).map((e) => e.name)
  } catch {
    throw new StudioError('not-found', `No such folder: ${folder}`)
  }
  return orderFrameFiles(names)
}

/** Width and height of an image from its header. */
export async function imageSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readImageBytes(path)
  if (extname(path).toLowerCase() === '.bmp') return bmpSize(bytes)
  try {
    const meta = await sharp(bytes).metadata()
    if (!meta.width || !meta.height) throw new Error('no size in header')
    return { width: meta.width, height: meta.height }
  } catch (error) {
    throw imageError(path, error)
  }
}

/** Decodes one image file to gray or RGB. */
export async function decodeImage(path: string, mode: FrameMode): Promise<DecodedFrame> {
  const bytes = await readImageBytes(path)
  if (extname(path).toLowerCase() === '.bmp') return toMode(decodeBmp(bytes), mode)
  try {
    const image = sharp(bytes, { failOn: 'error' })
    const pipeline = mode === 'gray' ? image.greyscale() : image.removeAlpha().toColourspace('srgb')
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
    const frame: DecodedFrame = {
      width: info.width,
      height: info.height,
      channels: info.channels === 1 ? 1 : 3,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    }
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`)
    return toMode(frame, mode)
  } catch (error) {
    throw imageError(path, error)
  }
}

async function readImageBytes(path: string): Promise<Uint8Array> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch {
    throw new StudioError('media/missing-frames', `Frame file is missing: ${path}`)
  }
  if (bytes.byteLength === 0) throw new StudioError('media/corrupt', `Empty image file (0 bytes): ${path}`)
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function imageError(path: string, error: unknown): StudioError {
  if (error instanceof StudioError) return error
  const message = (error as Error).message ?? String(error)
  if (/unsupported image format|Input buffer contains unsupported/i.test(message)) {
    return new StudioError('media/unsupported', `Not a readable image (wrong extension or unknown format): ${path}`)
  }
  return new StudioError('media/corrupt', `Corrupt image ${path}: ${message}`)
}
