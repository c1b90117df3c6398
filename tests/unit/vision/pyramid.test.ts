import { describe, expect, it } from 'vitest'
import type { GrayImage } from '../../../src/main/vision/image'
import { collapseLaplacian, gaussianPyramid, laplacianPyramid, maxPyramidLevels, pyrDown, pyrUp } from '../../../src/main/vision/pyramid'

function randomImage(width: number, height: number, seed = 1): GrayImage {
  let s = seed
  const data = new Float32Array(width * height)
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648
    data[i] = (s / 2147483648) * 255
  }
  return { width, height, data }
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

describe('pyramids', () => {
  it('pyrDown halves sizes (rounding up) and keeps a constant image constant', () => {
    const img: GrayImage = { width: 33, height: 20, data: new Float32Array(33 * 20).fill(7) }
    const d = pyrDown(img)
    expect([d.width, d.height]).toEqual([17, 10])
    expect(maxAbsDiff(d.data, new Float32Array(d.data.length).fill(7))).toBeLessThan(1e-5)
    const u = pyrUp(d, 33, 20)
    expect(maxAbsDiff(u.data, img.data)).toBeLessThan(1e-5)
  })

  it('pyrDown of a linear ramp is the ramp sampled at even pixels (interior)', () => {
    const w = 32
    const img: GrayImage = { width: w, height: 8, data: new Float32Array(w * 8) }
    for (let y = 0; y < 8; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = 3 * x + 2 * y
    const d = pyrDown(img)
    for (let y = 1; y < d.height - 1; y++)
      for (let x = 1; x < d.width - 1; x++) expect(d.data[y * d.width + x]).toBeCloseTo(6 * x + 4 * y, 4)
  })

  it('Gaussian pyramid sizes follow ⌈w/2⌉', () => {
    const g = gaussianPyramid(randomImage(45, 30), 4)
    expect(g.levels.map((l) => [l.width, l.height])).toEqual([
      [45, 30],
      [23, 15],
      [12, 8],
      [6, 4],
    ])
    expect(maxPyramidLevels(45, 30)).toBe(5)
    expect(() => gaussianPyramid(randomImage(45, 30), 6)).toThrow(RangeError)
  })

  it.each([
    [64, 64, 6],
    [45, 31, 5],
    [112, 112, 6],
    [7, 5, 2],
  ])('Laplacian pyramid of %i×%i (%i levels) collapses to the original within 1e-4', (w, h, levels) => {
    const img = randomImage(w, h, w * h)
    const pyr = laplacianPyramid(img, levels)
    expect(pyr.levels).toHaveLength(levels)
    const back = collapseLaplacian(pyr)
    expect([back.width, back.height]).toEqual([w, h])
    expect(maxAbsDiff(back.data, img.data)).toBeLessThan(1e-4)
  })
})
