import { describe, expect, it } from 'vitest'
import {
  argmax,
  attentionMassInRegions,
  barWeights,
  boxPolygon,
  dropBatch,
  resizeMapBilinear,
  softmax,
  summaryMap,
} from '../../../src/shared/inference/attention'

describe('softmax', () => {
  it('matches the closed form and is stable for large scores', () => {
    const p = softmax([1, 2, 3])
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)]
    const s = e[0]! + e[1]! + e[2]!
    p.forEach((v, i) => expect(v).toBeCloseTo(e[i]! / s, 12))
    const big = softmax([1000, 1001])
    expect(big[0]! + big[1]!).toBeCloseTo(1, 12)
    expect(big[1]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12)
    expect(argmax([0.1, 3, -2])).toBe(1)
  })
})

describe('attention aggregation', () => {
  it("Off-TANet's display: max over heads and channels, times the spatial map", () => {
    // self attention [1, 2 heads, 2 channels, 2, 2]; spatial [1, 1, 2, 2]
    const self = dropBatch(new Float32Array([1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 4]), [1, 2, 2, 2, 2])
    const spatial = dropBatch(new Float32Array([0.5, 0.5, 1, 0.25]), [1, 1, 2, 2])
    const map = summaryMap(self, 'max-over-heads-channels-times-spatial', spatial)
    expect(Array.from(map.data)).toEqual([0.5, 1, 3, 1])
  })

  it('map-per-frame summarises by the mean over frames; map needs exactly one map', () => {
    const perFrame = dropBatch(new Float32Array([0, 2, 4, 6, 2, 2, 2, 2]), [1, 1, 2, 2, 2])
    expect(Array.from(summaryMap(perFrame, 'map-per-frame').data)).toEqual([1, 2, 3, 4])
    expect(() => summaryMap(perFrame, 'map')).toThrow('expects one map')
  })

  it('bar weights take one row of a [T, C] tensor', () => {
    const t = dropBatch(new Float32Array([1, 2, 3, 4, 5, 6]), [1, 2, 3])
    expect(Array.from(barWeights(t, 1))).toEqual([4, 5, 6])
  })

  it('bilinear resize keeps a constant map and centres pixels', () => {
    const up = resizeMapBilinear({ width: 2, height: 1, data: new Float32Array([0, 1]) }, 4, 1)
    expect(Array.from(up.data)).toEqual([0, 0.25, 0.75, 1])
  })
})

describe('AU-region attention mass', () => {
  it('is the share of (min-shifted) mass whose pixel centres lie in the union of boxes', () => {
    const data = new Float32Array(16).fill(0.5)
    data[5] = 1.5 // (1,1)
    data[6] = 1.5 // (2,1)
    data[15] = 1.0 // (3,3)
    const report = attentionMassInRegions({ width: 4, height: 4, data }, [boxPolygon([1, 1, 3, 2]), boxPolygon([1, 1, 2, 2])])
    expect(report.inside).toBeCloseTo(2 / 2.5, 12)
    expect(report.areaShare).toBeCloseTo(2 / 16, 12)
    expect(report.enrichment).toBeCloseTo(0.8 / 0.125, 12)
    expect(report.looksElsewhere).toBe(false)
    // One pixel holding 20% of the mass: 3.2× the uniform share, a clear concentration.
    const small = attentionMassInRegions({ width: 4, height: 4, data }, [boxPolygon([3, 3, 4, 4])])
    expect(small.inside).toBeCloseTo(0.5 / 2.5, 12)
    expect(small.looksElsewhere).toBe(false)
    // Half the area but no mass: looks elsewhere.
    const elsewhere = attentionMassInRegions({ width: 4, height: 4, data }, [boxPolygon([0, 2, 4, 4])])
    expect(elsewhere.inside).toBeCloseTo(0.5 / 2.5, 12)
    expect(elsewhere.looksElsewhere).toBe(true)
  })

  it('counts pixel centres inside landmark polygons (even–odd rule)', () => {
    // A triangle over the top-left half of a 4×4 map: centres (x+.5, y+.5) with x + y < 3 lie inside.
    const data = new Float32Array(16).fill(1)
    data[15] = 0 // the minimum: shifted to zero mass
    const triangle: [number, number][] = [[0, 0], [4, 0], [0, 4]]
    const report = attentionMassInRegions({ width: 4, height: 4, data }, [triangle])
    expect(report.areaShare).toBeCloseTo(6 / 16, 12)
    expect(report.inside).toBeCloseTo(6 / 15, 12)
  })
})
