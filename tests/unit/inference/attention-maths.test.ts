import { describe, expect, it } from 'vitest'
import {
  apexStep,
  argmax,
  attentionMassInRegions,
  barWeights,
  boxPolygon,
  dropBatch,
  mapAtStep,
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

describe('apex step of a per-frame map', () => {
  // clip frames 248…302 (n = 55) resampled to 10 input frames; apex 263 is at position 15:
  // 15·9/54 = 2.5 → input frame 3 (round half up, as models/train.py apex_step)
  const clip = Array.from({ length: 55 }, (_, i) => 248 + i)
  it('maps the apex to the nearest resampled input frame', () => {
    expect(apexStep(clip, 263, 10, 10)).toBe(3)
    expect(apexStep(clip, 248, 10, 10)).toBe(0)
    expect(apexStep(clip, 302, 10, 10)).toBe(9)
    expect(apexStep(clip, 290, 11, 11)).toBe(Math.round((42 * 10) / 54))
  })
  it('maps input frames to the slices of a map pooled over time (16 frames → 2 slices)', () => {
    expect(apexStep(clip, 263, 16, 2)).toBe(0) // 15·15/54 = 4.2 → frame 4 → slice 0
    expect(apexStep(clip, 290, 16, 2)).toBe(1) // 42·15/54 = 11.7 → frame 12 → slice 1
  })
  it('mapAtStep takes one step of an axis and averages the other leading axes', () => {
    // [head 2, frame 3, 1, 2]: value = 10·head + frame (+ 0.5 in the second pixel)
    const data = new Float32Array(12)
    for (let h = 0; h < 2; h++) for (let f = 0; f < 3; f++) data.set([10 * h + f, 10 * h + f + 0.5], (h * 3 + f) * 2)
    const tensor = { data, shape: [2, 3, 1, 2] }
    expect(Array.from(mapAtStep(tensor, 1, 2).data)).toEqual([7, 7.5])
    expect(Array.from(mapAtStep(tensor, 0, 1).data)).toEqual([11, 11.5])
    expect(() => mapAtStep(tensor, 1, 3)).toThrow(RangeError)
  })
  it('is null when the apex is not among the frames used', () => {
    expect(apexStep(clip, 400, 10, 10)).toBeNull()
    expect(apexStep([5], 5, 10, 10)).toBeNull()
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
