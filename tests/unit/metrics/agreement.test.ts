import { describe, expect, it } from 'vitest'
import { parseAus, primaryAus } from '@shared/domain/au'
import {
  cohenKappa,
  facsAgreement,
  fleissKappa,
  intervalIoU,
  markDifference,
  perAuAgreement,
  summariseFacsAgreement,
  summariseMarkDifferences,
} from '@shared/metrics/agreement'

const aus = (s: string) => primaryAus(parseAus(s).value)
const exact = { laterality: true, intensity: true }
const numbersOnly = { laterality: false, intensity: false }

describe("Cohen's kappa", () => {
  it('matches a hand-computed 2×2 example', () => {
    // 10 items. A: pos×6 neg×4; B: pos×5 neg×5. Agree on 4 pos + 3 neg = 7 → po = 0.7
    // pe = 0.6·0.5 + 0.4·0.5 = 0.5 → κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    const a = ['p', 'p', 'p', 'p', 'p', 'p', 'n', 'n', 'n', 'n']
    const b = ['p', 'p', 'p', 'p', 'n', 'n', 'n', 'n', 'n', 'p']
    const r = cohenKappa(a, b)
    expect(r.po).toBeCloseTo(0.7, 12)
    expect(r.pe).toBeCloseTo(0.5, 12)
    expect(r.kappa).toBeCloseTo(0.4, 12)
    expect(r.n).toBe(10)
  })

  it('skips missing labels and is undefined when chance agreement is total', () => {
    expect(cohenKappa(['a', null, 'b'], ['a', 'b', 'b']).n).toBe(2)
    expect(cohenKappa(['a', 'a'], ['a', 'a']).kappa).toBeNull()
    expect(cohenKappa([], []).kappa).toBeNull()
  })
})

describe("Fleiss' kappa", () => {
  it('matches a hand-computed example (3 raters, 4 items)', () => {
    // items: [a,a,a] [a,a,b] [b,b,b] [a,b,b];  m = 3, N = 4
    // P_i = (Σ n_ik² − 3)/6: (9−3)/6 = 1, (4+1−3)/6 = 1/3, 1, 1/3 → P̄ = (8/3)/4 = 2/3
    // p_a = (3+2+0+1)/12 = 1/2, p_b = 1/2 → P̄e = 1/2 → κ = (2/3 − 1/2)/(1/2) = 1/3
    const r = fleissKappa([
      ['a', 'a', 'a'],
      ['a', 'a', 'b'],
      ['b', 'b', 'b'],
      ['a', 'b', 'b'],
    ])
    expect(r.po).toBeCloseTo(2 / 3, 12)
    expect(r.pe).toBeCloseTo(1 / 2, 12)
    expect(r.kappa).toBeCloseTo(1 / 3, 12)
  })

  it('equals Cohen-like perfect agreement = 1 and ignores incomplete items', () => {
    expect(fleissKappa([['a', 'a'], ['b', 'b'], ['a', null]]).kappa).toBeCloseTo(1, 12)
  })
})

describe('FACS agreement ratio', () => {
  it('counts agreed AUs with and without laterality and intensity', () => {
    // A = 1+2+R12B (3 AUs), B = 1+L12B+14 (3 AUs)
    // exact:        agreed {1}        → 2·1/6 = 1/3
    // numbers only: agreed {1, 12}    → 2·2/6 = 2/3
    const a = aus('1+2+R12B')
    const b = aus('1+L12B+14')
    expect(facsAgreement(a, b, exact)).toEqual({ agreed: 1, total: 6, ratio: 1 / 3 })
    expect(facsAgreement(a, b, numbersOnly)).toEqual({ agreed: 2, total: 6, ratio: 2 / 3 })
    // side but not intensity: R12A vs R12C agree
    expect(facsAgreement(aus('R12A'), aus('R12C'), { laterality: true, intensity: false }).ratio).toBe(1)
    expect(facsAgreement([], [], exact).ratio).toBeNull()
  })

  it('summarises events pooled and as a mean', () => {
    // event 1: 4+7 vs 4      → agreed 1, total 3, ratio 2/3
    // event 2: 12 vs 12      → agreed 1, total 2, ratio 1
    // event 3: none vs none  → total 0 (left out of the mean)
    // pooled = 2·2/5 = 4/5; mean = (2/3 + 1)/2 = 5/6
    const s = summariseFacsAgreement(
      [
        [aus('4+7'), aus('4')],
        [aus('12'), aus('12')],
        [[], []],
      ],
      numbersOnly,
    )
    expect(s.pooled).toBeCloseTo(4 / 5, 12)
    expect(s.meanOfEvents).toBeCloseTo(5 / 6, 12)
    expect(s.events).toBe(3)
  })

  it('gives per-AU agreement', () => {
    // AU4: both in e1, e2 → both 2; AU7: only A in e1 → onlyA 1; AU12: both in e3
    // AU4 presence A [y,y,n] B [y,y,n] → κ 1; AU7 A [y,n,n] B [n,n,n] → po 2/3, pe = (1/3·0 + 2/3·1) = 2/3 → κ 0
    const per = perAuAgreement(
      [
        [aus('4+7'), aus('4')],
        [aus('4'), aus('4')],
        [aus('12'), aus('12')],
      ],
      numbersOnly,
    )
    expect(per.map((p) => [p.key, p.both, p.onlyA, p.onlyB, p.ratio])).toEqual([
      ['4', 2, 0, 0, 1],
      ['7', 0, 1, 0, 0],
      ['12', 1, 0, 0, 1],
    ])
    expect(per[0]!.kappa).toBeCloseTo(1, 12)
    expect(per[1]!.kappa).toBeCloseTo(0, 12)
  })
})

describe('temporal agreement', () => {
  it('computes IoU on inclusive frame counts', () => {
    // [10,19] (10 frames) vs [15,24] (10 frames): ∩ [15,19] = 5, ∪ = 15 → 1/3
    expect(intervalIoU({ start: 10, end: 19 }, { start: 15, end: 24 })).toBeCloseTo(1 / 3, 12)
    // single identical frame: 1/1
    expect(intervalIoU({ start: 5, end: 5 }, { start: 5, end: 5 })).toBe(1)
    // adjacent, no overlap
    expect(intervalIoU({ start: 0, end: 4 }, { start: 5, end: 9 })).toBe(0)
  })

  it('gives mark differences in frames and ms', () => {
    // 200 fps: 3 frames = 15 ms; 30 fps: −2 frames = −66.67 ms
    expect(markDifference(100, 103, 200)).toEqual({ frames: 3, ms: 15 })
    expect(markDifference(10, 8, 30).ms).toBeCloseTo(-66.6667, 3)
    expect(markDifference(null, 8, 30)).toEqual({ frames: null, ms: null })
    // |3|,|−1| at 200 fps → mean abs 2 frames = 10 ms, mean signed 1, max 3
    const s = summariseMarkDifferences([markDifference(0, 3, 200), markDifference(5, 4, 200), markDifference(null, 1, 200)])
    expect(s).toEqual({ n: 2, meanAbsFrames: 2, meanAbsMs: 10, meanSignedFrames: 1, maxAbsFrames: 3 })
  })
})
