/**
 * Held-out frame pairs with known flow, unlike the fixtures of ./synthetic.ts in three ways: real
 * photos of other textures (found at run time in installed packages, never copied into the repo),
 * a warp that favours no flow method's interpolator (each frame is rendered at 4× the size, warped
 * bilinearly there and box-averaged down, as a camera integrates light over a pixel), and sensor
 * noise. Displacements go up to 10 px.
 */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import sharp from 'sharp'
import { createFlow, type FlowField, type GrayImage } from '../../../src/main/vision/image'
import { smoothFlow, translationFlow } from './synthetic'

/** Real photos available on this machine: the face-api demo pictures (a dependency). */
export function heldOutPhotos(): string[] {
  const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo')
  return [1, 2, 3, 4, 5, 6].map((k) => join(demo, `sample${k}.jpg`)).filter((path) => existsSync(path))
}

export type HeldOutFlow = 'smooth' | 'affine' | 'translation'

/** The true flow of a kind, with peak magnitude ≈ `magnitude` px. */
export function heldOutFlow(kind: HeldOutFlow, width: number, height: number, magnitude: number): FlowField {
  if (kind === 'smooth') return smoothFlow(width, height, magnitude / 0.85)
  if (kind === 'translation') return translationFlow(width, height, 0.8 * magnitude, -0.6 * magnitude)
  // A rotation by a small angle and a zoom about a point off centre, plus a shift.
  const flow = createFlow(width, height)
  const cx = 0.4 * width
  const cy = 0.55 * height
  const radius = Math.hypot(Math.max(cx, width - cx), Math.max(cy, height - cy))
  const k = (0.5 * magnitude) / radius
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      flow.u[i] = 0.35 * magnitude + k * ((x - cx) * 0.6 - (y - cy) * 0.8)
      flow.v[i] = -0.25 * magnitude + k * ((x - cx) * 0.8 + (y - cy) * 0.6)
    }
  }
  return flow
}

/** The varied set: each kind at small and large displacements, with and without noise. */
export const HELD_OUT_CASES: readonly { kind: HeldOutFlow; magnitude: number; noise: number }[] = [
  { kind: 'smooth', magnitude: 1.5, noise: 0 },
  { kind: 'translation', magnitude: 3, noise: 2 },
  { kind: 'affine', magnitude: 2, noise: 1 },
  { kind: 'smooth', magnitude: 6, noise: 1 },
  { kind: 'translation', magnitude: 10, noise: 0 },
  { kind: 'affine', magnitude: 10, noise: 3 },
]

const OVERSAMPLE = 4

/**
 * (i0, i1) with i0(x) = i1(x + truth(x)) rendered from `photo` (cover-resized to width × height),
 * Gaussian noise of σ `noise` grey levels added to each, both rounded to 8 bits.
 */
export async function renderHeldOutPair(photo: string, truth: FlowField, noise: number, seed: number): Promise<{ i0: GrayImage; i1: GrayImage }> {
  const { width, height } = truth
  const W = width * OVERSAMPLE
  const H = height * OVERSAMPLE
  const { data } = await sharp(photo).resize(W, H, { fit: 'cover', kernel: 'lanczos3' }).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true })
  const hi = Float32Array.from(data.subarray(0, W * H))
  const warped = new Float32Array(W * H)
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      // The flow at this sub-pixel's position in low-resolution coordinates, scaled to the 4× grid.
      const x = (X + 0.5) / OVERSAMPLE - 0.5
      const y = (Y + 0.5) / OVERSAMPLE - 0.5
      warped[Y * W + X] = bilinear(hi, W, H, X + OVERSAMPLE * bilinear(truth.u, width, height, x, y), Y + OVERSAMPLE * bilinear(truth.v, width, height, x, y))
    }
  }
  const random = gaussian(seed)
  return { i0: boxDown(warped, width, height, noise, random), i1: boxDown(hi, width, height, noise, random) }
}

/** Bilinear sample with the border replicated. */
function bilinear(data: Float32Array, w: number, h: number, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), w - 1)
  const cy = Math.min(Math.max(y, 0), h - 1)
  const x0 = Math.min(Math.floor(cx), w - 2 < 0 ? 0 : w - 2)
  const y0 = Math.min(Math.floor(cy), h - 2 < 0 ? 0 : h - 2)
  const fx = cx - x0
  const fy = cy - y0
  const i = y0 * w + x0
  const top = data[i]! + fx * (data[i + 1]! - data[i]!)
  const bottom = data[i + w]! + fx * (data[i + w + 1]! - data[i + w]!)
  return top + fy * (bottom - top)
}

function boxDown(hi: Float32Array, width: number, height: number, noise: number, random: () => number): GrayImage {
  const W = width * OVERSAMPLE
  const data = new Float32Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0
      for (let dy = 0; dy < OVERSAMPLE; dy++) for (let dx = 0; dx < OVERSAMPLE; dx++) sum += hi[(y * OVERSAMPLE + dy) * W + x * OVERSAMPLE + dx]!
      const v = Math.round(sum / (OVERSAMPLE * OVERSAMPLE) + noise * random())
      data[y * width + x] = v < 0 ? 0 : v > 255 ? 255 : v
    }
  }
  return { width, height, data }
}

/** Seeded standard normal samples (mulberry32 + Box–Muller), so every run sees the same pairs. */
function gaussian(seed: number): () => number {
  let state = seed >>> 0
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}
