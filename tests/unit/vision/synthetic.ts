/**
 * Frame pairs with known optical flow for the vision tests and bench/tvl1.bench.ts.
 *
 * A pair is (i0, i1) with i1 = the face photo and i0(x) = i1(x + f(x)) (bicubic), so the true
 * flow from i0 to i1 is exactly f. Both frames are rounded to 8 bits, as decoded video would be,
 * so that OpenCV (reading the PNGs) and our code see identical pixels.
 */
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { createFlow, warpImage, type FlowField, type GrayImage } from '../../../src/main/vision/image'

export const FACE_PNG = fileURLToPath(new URL('../../fixtures/vision/astronaut-gray.png', import.meta.url))

/** The fixture face, resized (cover) to width × height, as a 0–255 float image. */
export async function loadFace(width: number, height: number): Promise<GrayImage> {
  const { data, info } = await sharp(FACE_PNG)
    .resize(width, height, { fit: 'cover', kernel: 'lanczos3' })
    .toColourspace('b-w')
    .raw()
    .toBuffer({ resolveWithObject: true })
  if (info.channels !== 1) throw new Error(`expected 1 channel, got ${info.channels}`)
  return { width, height, data: Float32Array.from(data) }
}

/**
 * Smooth flow: a translation plus two low-frequency sinusoidal swirls and a slight zoom, with
 * peak magnitude ≈ `amplitude` px.
 */
export function smoothFlow(width: number, height: number, amplitude: number): FlowField {
  const flow = createFlow(width, height)
  const cx = (width - 1) / 2
  const cy = (height - 1) / 2
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      const nx = x / width
      const ny = y / height
      flow.u[i] =
        amplitude * (0.35 + 0.3 * Math.sin(2 * Math.PI * (1.1 * nx + 0.2)) * Math.cos(2 * Math.PI * 0.8 * ny) + (0.15 * (x - cx)) / width)
      flow.v[i] =
        amplitude * (-0.2 + 0.3 * Math.cos(2 * Math.PI * (0.9 * ny + 0.1)) * Math.sin(2 * Math.PI * 1.2 * nx) + (0.15 * (y - cy)) / height)
    }
  }
  return flow
}

/** Uniform translation by (du, dv). */
export function translationFlow(width: number, height: number, du: number, dv: number): FlowField {
  const flow = createFlow(width, height)
  flow.u.fill(du)
  flow.v.fill(dv)
  return flow
}

export interface FlowPair {
  i0: GrayImage
  i1: GrayImage
  truth: FlowField
}

/** i1 = base, i0 = base warped backwards by `truth`, both quantised to 8 bits. */
export function makePair(base: GrayImage, truth: FlowField): FlowPair {
  const i1 = quantise(base)
  const i0 = quantise(warpImage(i1, truth, 'bicubic'))
  return { i0, i1, truth }
}

function quantise(img: GrayImage): GrayImage {
  const data = new Float32Array(img.data.length)
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(img.data[i]!)
    data[i] = v < 0 ? 0 : v > 255 ? 255 : v
  }
  return { width: img.width, height: img.height, data }
}

/** Mask excluding a border of `margin` px, where warps sample outside the frame. */
export function interiorMask(width: number, height: number, margin: number): Uint8Array {
  const mask = new Uint8Array(width * height)
  for (let y = margin; y < height - margin; y++) mask.fill(1, y * width + margin, (y + 1) * width - margin)
  return mask
}

/** PNG bytes of an 8-bit gray image. */
export async function grayPng(img: GrayImage): Promise<Buffer> {
  const bytes = Buffer.alloc(img.width * img.height)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(img.data[i]!)))
  return sharp(bytes, { raw: { width: img.width, height: img.height, channels: 1 } })
    .png()
    .toBuffer()
}
