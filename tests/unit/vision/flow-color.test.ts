import { describe, expect, it } from 'vitest'
import { COLOR_WHEEL, flowColorLegend, flowMagnitudeStats, flowToColor } from '../../../src/main/vision/flow-color'
import { createFlow } from '../../../src/main/vision/image'

function colorOfVector(u: number, v: number, max = 1): number[] {
  const f = createFlow(1, 1)
  f.u[0] = u
  f.v[0] = v
  return Array.from(flowToColor(f, { maxMagnitude: max }).data)
}

describe('Middlebury colour coding', () => {
  it('has the 55-colour wheel', () => {
    expect(COLOR_WHEEL.length).toBe(55 * 3)
    expect(Array.from(COLOR_WHEEL.subarray(0, 3))).toEqual([255, 0, 0])
  })

  it('colours the four directions as the Middlebury code does', () => {
    expect(colorOfVector(0, 0)).toEqual([255, 255, 255, 255]) // no motion: white
    expect(colorOfVector(1, 0)).toEqual([255, 0, 0, 255]) // right: red (atan2(−0, −1) = −π)
    expect(colorOfVector(-1, 0)).toEqual([0, 209, 255, 255]) // left: cyan-blue
    expect(colorOfVector(0, 1)).toEqual([255, 229, 0, 255]) // down: yellow
    expect(colorOfVector(0, -1)).toEqual([88, 0, 255, 255]) // up: blue-violet
  })

  it('desaturates small vectors and darkens out-of-range ones', () => {
    const half = colorOfVector(0.5, 0)
    expect(half[0]).toBe(255)
    expect(half[1]).toBe(127) // 1 − ½·(1 − 0)
    expect(colorOfVector(2, 0)[0]).toBe(191) // 0.75 · 255
  })

  it('normalises by the largest magnitude and draws a legend disc', () => {
    const f = createFlow(2, 1)
    f.u[0] = 3
    f.u[1] = 6
    const img = flowToColor(f)
    expect(Array.from(img.data.subarray(4, 8))).toEqual(colorOfVector(1, 0))
    const legend = flowColorLegend(33)
    expect(legend.data[(16 * 33 + 16) * 4]).toBe(255) // centre: white
    expect(legend.data[3]).toBe(0) // corner outside the disc: transparent
  })

  it('computes magnitude statistics', () => {
    const f = createFlow(4, 1)
    f.u.set([3, 0, 0, Number.NaN])
    f.v.set([4, 1, 0, 0])
    const s = flowMagnitudeStats(f)
    expect(s.count).toBe(3)
    expect(s.max).toBe(5)
    expect(s.mean).toBeCloseTo(2, 6)
    expect(s.median).toBe(1)
  })
})
