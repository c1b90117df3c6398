import { describe, expect, it } from 'vitest'
import {
  centralGradients,
  cloneFlow,
  cloneImage,
  createFlow,
  createImage,
  grayFromPixels,
  gaussianBlur,
  resizeArea,
  resizeBilinear,
  sampleBicubic,
  sampleBilinear,
  sobelGradients,
  warpImage,
  type GrayImage,
} from '../../../src/main/vision/image'
import { translationFlow } from './synthetic'

function ramp(w: number, h: number, a: number, b: number, c = 0): GrayImage {
  const img = createImage(w, h)
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = a * x + b * y + c
  return img
}

describe('image helpers', () => {
  it('Sobel and central differences of a linear ramp give its exact slope inside', () => {
    const img = ramp(9, 7, 2.5, -1.25)
    const s = sobelGradients(img)
    const c = centralGradients(img)
    for (let y = 1; y < 6; y++) {
      for (let x = 1; x < 8; x++) {
        expect(s.gx[y * 9 + x]).toBeCloseTo(2.5, 5)
        expect(s.gy[y * 9 + x]).toBeCloseTo(-1.25, 5)
        expect(c.gx[y * 9 + x]).toBeCloseTo(2.5, 5)
        expect(c.gy[y * 9 + x]).toBeCloseTo(-1.25, 5)
      }
    }
    // Replicated border: half the one-sided difference.
    expect(c.gx[0]).toBeCloseTo(1.25, 5)
  })

  it('bilinear and bicubic sampling reproduce a linear function exactly inside', () => {
    const img = ramp(10, 10, 3, 2, 1)
    for (const [x, y] of [
      [2.3, 4.7],
      [5.5, 5.5],
      [1.01, 7.99],
    ] as const) {
      expect(sampleBilinear(img, x, y)).toBeCloseTo(3 * x + 2 * y + 1, 4)
      expect(sampleBicubic(img, x, y)).toBeCloseTo(3 * x + 2 * y + 1, 4)
    }
  })

  it('warping by an integer translation shifts the pixels', () => {
    const img = ramp(8, 8, 1, 10)
    const out = warpImage(img, translationFlow(8, 8, 2, 1))
    expect(out.data[0]).toBeCloseTo(img.data[1 * 8 + 2]!, 5)
  })

  it('resizes keep constants and the mean of a ramp; blur keeps constants', () => {
    const flat = createImage(20, 16, 7)
    expect(resizeBilinear(flat, 13, 9).data.every((v) => Math.abs(v - 7) < 1e-5)).toBe(true)
    expect(resizeArea(flat, 10, 8).data.every((v) => Math.abs(v - 7) < 1e-5)).toBe(true)
    expect(gaussianBlur(flat, 1.5).data.every((v) => Math.abs(v - 7) < 1e-4)).toBe(true)
    const r = ramp(16, 16, 1, 0)
    const half = resizeArea(r, 8, 8)
    expect(half.data[0]).toBeCloseTo(0.5, 5) // mean of 0 and 1
    expect(half.data[7]).toBeCloseTo(14.5, 5)
  })

  it('clones deeply and converts RGB(A) to BT.601 luma', () => {
    const img = createImage(2, 1, 3)
    const copy = cloneImage(img)
    copy.data[0] = 9
    expect(img.data[0]).toBe(3)
    const flow = createFlow(2, 2)
    const f2 = cloneFlow(flow)
    f2.u[0] = 1
    expect(flow.u[0]).toBe(0)
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255])
    const gray = grayFromPixels(rgba, 2, 1, 4)
    expect(gray.data[0]).toBeCloseTo(0.299 * 255, 3)
    expect(gray.data[1]).toBeCloseTo(0.587 * 255, 3)
  })
})
