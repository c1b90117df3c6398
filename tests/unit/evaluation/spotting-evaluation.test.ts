import { describe, expect, it } from 'vitest'
import { evaluateSpottingVideos, formatSpottingText, parsePredictions, type SpotTruthVideo } from '../../../src/main/services/evaluation/spotting'

const truth: SpotTruthVideo[] = [
  { dataset: 'A', video: 's15/v1', clip: '/data/A/v1', fps: 30, intervals: [{ onset: 10, offset: 19, kind: 'micro' }, { onset: 100, offset: 159, kind: 'macro' }] },
  { dataset: 'A', video: 's15/v2', clip: '/data/A/v2', fps: 30, intervals: [{ onset: 30, offset: 39, kind: 'micro' }] },
  { dataset: 'B', video: 's16/v3', clip: '/data/B/v3', fps: 30, intervals: [] },
]

describe('spotting evaluation of videos', () => {
  it('reads one spot output, an array of them, or a videos list; kinds from the length when absent', () => {
    expect(parsePredictions('{"clip":"v1","fps":30,"intervals":[{"onset":1,"apex":3,"offset":9},{"onset":20,"offset":50}]}', 'p.json', '/data/A')).toEqual([
      { ref: '/data/A/v1', intervals: [{ onset: 1, offset: 9, kind: 'micro' }, { onset: 20, offset: 50, kind: 'macro' }] },
    ])
    expect(parsePredictions('[{"video":"s15/v2","intervals":[{"onset":1,"offset":2,"kind":"macro"}]}]', 'p.json', '/x')).toEqual([
      { ref: 's15/v2', intervals: [{ onset: 1, offset: 2, kind: 'macro' }] },
    ])
    expect(parsePredictions('{"videos":[{"clip":"/abs/v","intervals":[]}]}', 'p.json', '/x')).toEqual([{ ref: '/abs/v', intervals: [] }])
    expect(() => parsePredictions('nope', 'p.json', '/x')).toThrow(/p.json is not JSON/)
    expect(() => parsePredictions('{"clip":"v","intervals":[{"onset":1,"offset":2,"kind":"tiny"}]}', 'p.json', '/x')).toThrow(/kind must be micro or macro/)
  })

  it('scores per video, per dataset and pooled by summed counts; names unpredicted and unknown videos', () => {
    const e = evaluateSpottingVideos(truth, [
      { ref: '/data/A/v1', intervals: [{ onset: 11, offset: 19, kind: 'micro' }, { onset: 300, offset: 310, kind: 'micro' }] },
      { ref: 's16/v3', intervals: [{ onset: 5, offset: 9, kind: 'micro' }] },
      { ref: '/elsewhere', intervals: [{ onset: 5, offset: 9, kind: 'micro' }] },
    ])
    expect(e.videos.map((v) => [v.video, v.report.overall.tp, v.report.overall.fp, v.report.overall.fn])).toEqual([
      ['s15/v1', 1, 1, 1],
      ['s15/v2', 0, 0, 1],
      ['s16/v3', 0, 1, 0],
    ])
    expect(e.datasets.map((d) => [d.dataset, d.report.overall.tp, d.report.overall.fp, d.report.overall.fn])).toEqual([
      ['A', 1, 1, 2],
      ['B', 0, 1, 0],
    ])
    // Pooled: TP 1, FP 2, FN 2 → F1 = 2 / (2 + 2 + 2).
    expect(e.pooled.overall.f1).toBeCloseTo(1 / 3)
    expect(e.pooled.micro).toMatchObject({ tp: 1, fp: 2, fn: 1 })
    expect(e.pooled.macro).toMatchObject({ tp: 0, fp: 0, fn: 1 })
    expect(e.unpredicted).toEqual(['s15/v2'])
    expect(e.unknown).toEqual(['/elsewhere'])
    const text = formatSpottingText(e)
    expect(text).toMatch(/overall F1 {2}33% \(TP 1 FP 2 FN 2\)/)
    expect(text).toMatch(/No predictions for 1 video\(s\), counted as all missed: s15\/v2/)
  })

  it('rejects an IoU threshold outside (0, 1]', () => {
    expect(() => evaluateSpottingVideos(truth, [], 0)).toThrow(/IoU threshold/)
  })
})
