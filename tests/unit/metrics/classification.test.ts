import { describe, expect, it } from 'vitest'
import { classificationReport, confusionMatrix, unweightedAverageRecall, unweightedF1 } from '@shared/metrics/classification'

describe('classification metrics (pooled)', () => {
  // truth:     n n n n p p s s s s
  // predicted: n n n p p n s s s n
  // negative: TP 3, FN 1 (→p), FP 2 (p→n, s→n)   F1 = 6/(6+2+1) = 2/3,  recall = 3/4
  // positive: TP 1, FN 1 (→n), FP 1 (n→p)        F1 = 2/(2+1+1) = 1/2,  recall = 1/2
  // surprise: TP 3, FN 1 (→n), FP 0              F1 = 6/(6+0+1) = 6/7,  recall = 3/4
  // UF1 = (2/3 + 1/2 + 6/7)/3 = (28/42 + 21/42 + 36/42)/3 = 85/126
  // UAR = (3/4 + 1/2 + 3/4)/3 = 2/3;  accuracy = 7/10
  const truth = ['n', 'n', 'n', 'n', 'p', 'p', 's', 's', 's', 's']
  const predicted = ['n', 'n', 'n', 'p', 'p', 'n', 's', 's', 's', 'n']

  it('matches the hand-computed figures', () => {
    const r = classificationReport(truth, predicted)
    expect(r.uf1).toBeCloseTo(85 / 126, 12)
    expect(r.uar).toBeCloseTo(2 / 3, 12)
    expect(r.accuracy).toBeCloseTo(0.7, 12)
    expect(r.confusion).toEqual({
      classes: ['n', 'p', 's'],
      counts: [
        [3, 1, 0],
        [1, 1, 0],
        [1, 0, 3],
      ],
    })
    expect(r.method).toMatch(/pooled/)
    expect(unweightedF1(truth, predicted)).toBe(r.uf1)
    expect(unweightedAverageRecall(truth, predicted)).toBe(r.uar)
  })

  it('averages over ground-truth classes only', () => {
    // truth a a b b, predicted a c b b: class c only predicted.
    // a: TP 1, FN 1, FP 0 → F1 2/3, recall 1/2;  b: TP 2, FP 0, FN 0 → F1 1, recall 1
    // UF1 = (2/3 + 1)/2 = 5/6, UAR = (1/2 + 1)/2 = 3/4  (c: support 0, F1/recall null, not averaged)
    const r = classificationReport(['a', 'a', 'b', 'b'], ['a', 'c', 'b', 'b'])
    expect(r.uf1).toBeCloseTo(5 / 6, 12)
    expect(r.uar).toBeCloseTo(3 / 4, 12)
    expect(r.perClass.find((c) => c.label === 'c')).toMatchObject({ support: 0, fp: 1, f1: null, recall: null })
  })

  it('keeps a given class order and returns nulls on empty input', () => {
    expect(confusionMatrix(['b'], ['a'], ['b', 'a']).counts).toEqual([
      [0, 1],
      [0, 0],
    ])
    const empty = classificationReport([], [])
    expect([empty.uf1, empty.uar, empty.accuracy]).toEqual([null, null, null])
  })
})
