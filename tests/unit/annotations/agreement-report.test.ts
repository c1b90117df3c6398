import { afterEach, describe, expect, it } from 'vitest'
import { parseAus } from '@shared/domain/au'
import { EMPTY_ANNOTATION_FIELDS } from '@shared/domain/annotation'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { projectWithSamples, scratchDir } from '../project/project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

const emptyFields = EMPTY_ANNOTATION_FIELDS

describe('agreement report', () => {
  it('matches hand-computed figures for three coders', async () => {
    const s = scratchDir()
    cleanup = s.cleanup
    const { project, sampleIds } = await projectWithSamples(s.dir, 1, 4) // 200 fps, frames 10…69
    const coding = new CodingService(project)
    const [kim, lee, max] = ['Kim', 'Lee', 'Max'].map((n) => coding.createAnnotator(n, 'coder'))
    const [s1, s2, s3, s4] = sampleIds as [number, number, number, number]
    const code = (sample: number, who: number, emotion: string, aus: string, marks: [number, number, number] | null = null) =>
      coding.update(sample, who, { emotion, aus: parseAus(aus).value, ...(marks ? { onset: marks[0], apex: marks[1], offset: marks[2] } : {}) })
    code(s1, kim!.id, 'happiness', '12', [10, 20, 29])
    code(s2, kim!.id, 'disgust', '4+L10', [30, 40, 49])
    code(s3, kim!.id, 'surprise', '1+2')
    code(s4, kim!.id, 'happiness', 'R12A')
    code(s1, lee!.id, 'happiness', '12+6', [12, 20, 31])
    code(s2, lee!.id, 'sadness', '4+R10', [30, 42, 49])
    code(s3, lee!.id, 'surprise', '1+2')
    code(s4, lee!.id, 'happiness', 'R12C')
    code(s1, max!.id, 'happiness', '')
    code(s2, max!.id, 'disgust', '')
    code(s3, max!.id, 'surprise', '')
    code(s4, max!.id, 'sadness', '')

    const report = coding.agreementReport()
    expect(report.coders.map((c) => c.name)).toEqual(['Kim', 'Lee', 'Max'])
    expect(report.samples).toBe(4)
    // Fleiss (emotion): items [H,H,H] [D,Sa,D] [S,S,S] [H,H,Sa] → P_i 1, 1/3, 1, 1/3 → P̄ = 2/3
    // totals H 5, D 2, Sa 2, S 3 of 12 → P̄e = (25+4+4+9)/144 = 7/24 → κ = (16/24 − 7/24)/(17/24) = 9/17
    expect(report.fleissEmotion!.kappa).toBeCloseTo(9 / 17, 12)

    const pair = report.pairs.find((p) => p.a.name === 'Kim' && p.b.name === 'Lee')!
    expect(pair.samples).toBe(4)
    // Cohen (emotion): Kim H D S H, Lee H Sa S H → po = 3/4; pe = .5·.5 + .25·.25 = .3125 → κ = .4375/.6875 = 7/11
    expect(pair.emotion.kappa).toBeCloseTo(7 / 11, 12)
    // FACS ratio. numbers only: s1 {12}|{6,12} 1 of 3, s2 2 of 4, s3 2 of 4, s4 1 of 2
    //   pooled 2·6/13 = 12/13; mean (2/3 + 1 + 1 + 1)/4 = 11/12
    // + laterality: s2 L10≠R10 → 1 of 4: pooled 10/13; mean (2/3 + 1/2 + 1 + 1)/4 = 19/24
    // + laterality + intensity: s4 R12A≠R12C → 0 of 2: pooled 8/13; mean (2/3 + 1/2 + 1 + 0)/4 = 13/24
    const facs = (laterality: boolean, intensity: boolean) => pair.facs.find((f) => f.laterality === laterality && f.intensity === intensity)!
    expect(facs(false, false).pooled).toBeCloseTo(12 / 13, 12)
    expect(facs(false, false).meanOfEvents).toBeCloseTo(11 / 12, 12)
    expect(facs(true, false).pooled).toBeCloseTo(10 / 13, 12)
    expect(facs(true, false).meanOfEvents).toBeCloseTo(19 / 24, 12)
    expect(facs(true, true).pooled).toBeCloseTo(8 / 13, 12)
    expect(facs(true, true).meanOfEvents).toBeCloseTo(13 / 24, 12)
    // per AU (numbers only): AU6 only Lee once → ratio 0; AU10 both once → 1
    const perAu = pair.perAu.find((p) => !p.laterality && !p.intensity)!.aus
    expect(perAu.find((p) => p.key === '6')).toMatchObject({ both: 0, onlyA: 0, onlyB: 1, ratio: 0 })
    expect(perAu.find((p) => p.key === '10')).toMatchObject({ both: 1, ratio: 1 })
    // marks (Lee − Kim): onset +2, 0 → mean |Δ| 1 frame = 5 ms at 200 fps; apex 0, +2; offset +2, 0
    expect(pair.marks.onset).toEqual({ n: 2, meanAbsFrames: 1, meanAbsMs: 5, meanSignedFrames: 1, maxAbsFrames: 2 })
    expect(pair.marks.apex.meanAbsMs).toBe(5)
    // IoU: [10,29] vs [12,31] → 18/22 = 9/11; [30,49] vs [30,49] → 1; mean 10/11
    expect(pair.iou.n).toBe(2)
    expect(pair.iou.mean).toBeCloseTo(10 / 11, 12)
    expect(pair.iou.atLeastHalf).toBe(2)
    // disagreements: s1 AUs (marks within 3 frames), s2 emotion + AUs (L10 vs R10)
    expect(pair.disagreements.map((d) => [d.sampleId, d.fields])).toEqual([
      [s1, ['aus']],
      [s2, ['emotion', 'aus']],
    ])

    // a chosen pair only; Fleiss needs three coders
    const two = coding.agreementReport({ annotatorIds: [kim!.id, lee!.id] })
    expect(two.pairs).toHaveLength(1)
    expect(two.fleissEmotion).toBeNull()
    project.close()
  })
  it('stays current after every kind of write, without re-reading what did not change', async () => {
    const s = scratchDir()
    cleanup = s.cleanup
    const { project, sampleIds } = await projectWithSamples(s.dir, 1, 3)
    const coding = new CodingService(project)
    const [kim, lee] = ['Kim', 'Lee'].map((n) => coding.createAnnotator(n, 'coder'))
    const [s1, s2, s3] = sampleIds as [number, number, number]
    const code = (sample: number, who: number, emotion: string) => coding.update(sample, who, { emotion })
    code(s1, kim!.id, 'happiness')
    code(s1, lee!.id, 'happiness')
    const pair = () => coding.agreementReport().pairs[0]!
    expect(pair().samples).toBe(1)

    // an edit through the coding service, then its undo
    code(s2, kim!.id, 'disgust')
    code(s2, lee!.id, 'sadness')
    expect(pair().samples).toBe(2)
    expect(pair().disagreements.map((d) => d.sampleId)).toEqual([s2])
    coding.undo({ sampleId: s2, annotatorId: lee!.id })
    expect(pair().samples).toBe(1)

    // a write straight to the project, and one rolled back
    project.transaction(() => project.putAnnotation({ sampleId: s3, annotatorId: kim!.id, adjudicated: false }, { ...emptyFields, emotion: 'surprise' }))
    project.transaction(() => project.putAnnotation({ sampleId: s3, annotatorId: lee!.id, adjudicated: false }, { ...emptyFields, emotion: 'surprise' }))
    expect(pair().samples).toBe(2)
    expect(() =>
      project.transaction(() => {
        project.putAnnotation({ sampleId: s3, annotatorId: lee!.id, adjudicated: false }, { ...emptyFields, emotion: 'fear' })
        throw new Error('abandoned')
      }),
    ).toThrow('abandoned')
    expect(pair().disagreements).toEqual([])

    // a second service on the same connection shares the one snapshot kept current
    expect(new CodingService(project).agreementReport()).toEqual(coding.agreementReport())

    // samples removed with their dataset take their codings with them
    project.deleteDataset(project.listDatasets()[0]!.id)
    expect(coding.agreementReport().samples).toBe(0)
    project.close()
  })
})
