import { describe, expect, it } from 'vitest'
import { evaluateSpotting, intervalIou, matchIntervals, poolSpotting, countSpotting, type KindInterval } from '@shared/metrics/spotting'

const micro = (onset: number, offset: number): KindInterval => ({ onset, offset, kind: 'micro' })
const macro = (onset: number, offset: number): KindInterval => ({ onset, offset, kind: 'macro' })

describe('MEGC spotting evaluation', () => {
  it('counts frames inclusively', () => {
    expect(intervalIou(micro(10, 19), micro(10, 19))).toBe(1)
    // 10..19 (10 frames) and 15..24 (10): 5 shared of 15.
    expect(intervalIou(micro(10, 19), micro(15, 24))).toBeCloseTo(5 / 15)
    // Touching: 10..19 and 19..28 share frame 19 → 1 / 19.
    expect(intervalIou(micro(10, 19), micro(19, 28))).toBeCloseTo(1 / 19)
    // Adjacent without a shared frame: 0.
    expect(intervalIou(micro(10, 19), micro(20, 29))).toBe(0)
    // One frame each, the same frame: 1.
    expect(intervalIou(micro(5, 5), micro(5, 5))).toBe(1)
  })

  it('takes IoU = 0.5 exactly as a hit', () => {
    // 0..9 and 0..19: 10 / 20.
    expect(evaluateSpotting([micro(0, 19)], [micro(0, 9)]).overall).toMatchObject({ tp: 1, fp: 0, fn: 0, f1: 1 })
    // 0..8 and 0..19: 9 / 20 < 0.5.
    expect(evaluateSpotting([micro(0, 19)], [micro(0, 8)]).overall).toMatchObject({ tp: 0, fp: 1, fn: 1, f1: 0 })
  })

  it('lets one prediction covering two truths match at most one of them', () => {
    // Truths 0..9 and 12..21; prediction 0..21 (22 frames): IoU 10/22 and 10/22, both < 0.5 → 1 FP, 2 FN.
    expect(evaluateSpotting([micro(0, 9), micro(12, 21)], [micro(0, 21)]).overall).toMatchObject({ tp: 0, fp: 1, fn: 2 })
    // Truths 0..9 and 10..11; prediction 0..11: IoU 10/12 and 2/12 → matches the first only.
    const r = evaluateSpotting([micro(0, 9), micro(10, 11)], [micro(0, 11)])
    expect(r.overall).toMatchObject({ tp: 1, fp: 0, fn: 1 })
    // P = 1/1, R = 1/2, F1 = 2·1 / (2 + 0 + 1).
    expect(r.overall.precision).toBe(1)
    expect(r.overall.recall).toBe(0.5)
    expect(r.overall.f1).toBeCloseTo(2 / 3)
  })

  it('matches each truth once, the best prediction first', () => {
    // Two predictions on one truth: 0..9 (IoU 1) and 1..9 (0.9): one TP, one FP.
    const matches = matchIntervals([micro(0, 9)], [micro(1, 9), micro(0, 9)])
    expect(matches).toEqual([{ truth: 0, prediction: 1, iou: 1 }])
    expect(evaluateSpotting([micro(0, 9)], [micro(1, 9), micro(0, 9)]).overall).toMatchObject({ tp: 1, fp: 1, fn: 0 })
  })

  it('evaluates micro and macro separately and sums them overall', () => {
    const truth = [micro(10, 20), macro(100, 160), macro(300, 360)]
    // A micro prediction on the macro truth does not count for it.
    const predictions = [micro(11, 20), micro(100, 160), macro(300, 350), macro(500, 540)]
    const r = evaluateSpotting(truth, predictions)
    expect(r.micro).toMatchObject({ tp: 1, fp: 1, fn: 0 })
    expect(r.macro).toMatchObject({ tp: 1, fp: 1, fn: 1 })
    expect(r.overall).toMatchObject({ tp: 2, fp: 2, fn: 1 })
    // F1 = 4 / (4 + 2 + 1).
    expect(r.overall.f1).toBeCloseTo(4 / 7)
  })

  it('pools videos by summing counts, not by averaging F1', () => {
    const a = countSpotting([micro(0, 9)], [micro(0, 9)]) // 1 TP
    const b = countSpotting([micro(0, 9), micro(20, 29), micro(40, 49)], [micro(60, 69)]) // 1 FP, 3 FN
    const pooled = poolSpotting([a, b])
    expect(pooled.micro).toMatchObject({ tp: 1, fp: 1, fn: 3 })
    // Pooled F1 = 2 / (2 + 1 + 3) = 1/3; the mean of the videos' F1s would be (1 + 0) / 2.
    expect(pooled.overall.f1).toBeCloseTo(1 / 3)
  })

  it('leaves undefined ratios null', () => {
    const r = evaluateSpotting([], [])
    expect(r.overall).toEqual({ tp: 0, fp: 0, fn: 0, precision: null, recall: null, f1: null })
    expect(evaluateSpotting([micro(0, 9)], []).overall).toMatchObject({ precision: null, recall: 0, f1: 0 })
  })
})
