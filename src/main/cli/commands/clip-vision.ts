/**
 * Shared plumbing of the `magnify` and `spot` commands: reading a clip through the media service,
 * converting frames to the vision types, and numeric options.
 */
import { resolve } from 'node:path'
import type { ClipInfo } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc'
import { MediaService, type DecodedFrame } from '../../services/media'
import type { RgbImage } from '../../vision/color'
import { cropSide, CROP_PRESETS, type CropPreset } from '../../vision/face/align'
import type { GrayImage } from '../../vision/image'
import { UsageError, intOption, stringOption, type CliIo } from '../command'

export interface LoadedClip {
  info: ClipInfo
  /** Index of the first frame read. */
  start: number
  frames: DecodedFrame[]
}

/** Reads `count` frames (default all) from `start` of a video or image folder. */
export async function loadClip(path: string, io: CliIo, values: Record<string, unknown>, mode: 'gray' | 'rgb'): Promise<LoadedClip> {
  const media = new MediaService()
  const fpsText = stringOption(values, 'fps')
  const fps = fpsText === undefined ? undefined : numberOption(values, 'fps', 0)
  const full = resolve(io.cwd, path)
  const info = await media.open(full, fps ? { fps } : {})
  const start = intOption(values, 'start', 0)
  const count = intOption(values, 'count', info.frameCount - start)
  if (start < 0 || count < 3 || start + count > info.frameCount) {
    throw new StudioError(
      'invalid-input',
      `frames ${start}..${start + count - 1} are not inside the clip (0..${info.frameCount - 1}; at least 3 needed)`,
    )
  }
  return { info, start, frames: await media.readFrames(full, start, count, mode) }
}

export function grayOf(frame: DecodedFrame): GrayImage {
  if (frame.channels !== 1) throw new StudioError('internal', 'expected a gray frame')
  return { width: frame.width, height: frame.height, data: Float32Array.from(frame.data) }
}

export function rgbOf(frame: DecodedFrame): RgbImage {
  if (frame.channels !== 3) throw new StudioError('internal', 'expected an RGB frame')
  return { width: frame.width, height: frame.height, data: Float32Array.from(frame.data) }
}

/** A finite number option (or the fallback when absent). */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got ${String(raw)}`)
  return n
}

/** `--crop`: a preset name (off-tanet, ststnet, cbamnet, ms-3d-resnet, ast-svmnet) or a side in pixels. */
export function cropOption(text: string): number {
  if (text in CROP_PRESETS) return cropSide(text as CropPreset)
  const n = Number(text)
  if (!Number.isInteger(n) || n < 16 || n > 1024)
    throw new UsageError(`--crop must be a preset (${Object.keys(CROP_PRESETS).join(', ')}) or a side 16–1024, got ${text}`)
  return n
}
