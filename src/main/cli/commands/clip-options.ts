/** Options shared by the `magnify`, `spot` and `evaluate-spotting` commands: numbers and face-crop sides. */
import { cropSide, CROP_PRESETS, type CropPreset } from '../../vision/face/align'
import { UsageError } from '../command'

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
