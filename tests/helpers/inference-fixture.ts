/**
 * Inference test fixtures: the untrained Off-TANet ONNX + card written by
 * tests/fixtures/inference/make_fixtures.py, and in-memory samples whose apex frame shifts a
 * textured patch (a small, known motion for the flow recipe).
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseModelCard, type ModelCard } from '../../src/shared/domain/model-card'
import type { PixelFrame } from '../../src/main/vision/recipe/opencv-exact'
import type { InferenceSample } from '../../src/main/services/inference/sample'

export const INFERENCE_FIXTURES = resolve(import.meta.dirname, '../fixtures/inference')
export const OFF_TANET_ONNX = join(INFERENCE_FIXTURES, 'off_tanet-untrained.onnx')

export function offTanetCardJson(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(INFERENCE_FIXTURES, 'off_tanet-untrained.card.json'), 'utf8')) as Record<string, unknown>
}

export function offTanetCard(): ModelCard {
  const parsed = parseModelCard(offTanetCardJson())
  if (!parsed.ok) throw new Error(parsed.issues.join('\n'))
  return parsed.card
}

/** A smooth texture (sum of sines), RGB, 0–255, displaced by `shift` pixels inside the box [x0, y0, x1, y1). */
export function texturedFrame(width: number, height: number, shift: { dx: number; dy: number }, box: [number, number, number, number]): PixelFrame {
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= box[0] && x < box[2] && y >= box[1] && y < box[3]
      const sx = inside ? x - shift.dx : x
      const sy = inside ? y - shift.dy : y
      const v = 128 + 50 * Math.sin(sx / 5.3) * Math.cos(sy / 4.1) + 30 * Math.sin((sx + sy) / 9.7)
      const p = (y * width + x) * 3
      data[p] = Math.round(v)
      data[p + 1] = Math.round(v * 0.9)
      data[p + 2] = Math.round(v * 0.8)
    }
  }
  return { width, height, channels: 3, data }
}

export interface SyntheticSampleOptions {
  key?: string
  frames?: number
  onset?: number
  apex?: number | null
  offset?: number
  size?: number
  /** Frame indices whose decoding fails. */
  corrupt?: number[]
}

/** Onset..offset clip where the patch moves linearly up to 2 px at the apex and back. */
export function syntheticSample(options: SyntheticSampleOptions = {}): InferenceSample & { reads: number[] } {
  const { key = 'synthetic-1', frames = 12, onset = 1, apex = 6, offset = 10, size = 128, corrupt = [] } = options
  const peak = apex ?? 6
  const reads: number[] = []
  const box: [number, number, number, number] = [40, 48, 88, 80]
  return {
    key,
    frameCount: frames,
    onsetIndex: onset,
    apexIndex: apex,
    offsetIndex: offset,
    reads,
    async readFrame(index) {
      reads.push(index)
      if (corrupt.includes(index)) throw new Error('Input buffer contains unsupported image format')
      const t = index <= onset ? 0 : index <= peak ? (index - onset) / (peak - onset) : Math.max(0, 1 - (index - peak) / (offset - peak))
      return texturedFrame(size, size, { dx: 2 * t, dy: -1 * t }, box)
    },
  }
}
