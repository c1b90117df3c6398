import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import type { ImportProblem } from '@shared/domain/dataset'
import { BatchStore } from '../../../src/main/services/batch/store'
import { openDataset } from '../../../src/main/services/datasets'
import { mediaSample } from '../../../src/main/services/inference/media-sample'
import { MediaService, indexOfFrameNumber } from '../../../src/main/services/media'
import { importDataset } from '../../../src/main/services/project/import'
import { Project } from '../../../src/main/services/project/project'
import { writeCasme2LongFixture, type Casme2LongFixture } from '../../helpers/casme2-long-fixture'
import { scratchDir } from '../../unit/project/project-fixture'

/**
 * CAS(ME)²: rows named by participant and expression (`1`, `disgust1_2`) are matched to
 * `rawpic/s15/15_0101…` through the workbook's naming-rule sheets, and every labelled
 * expression of a long video becomes its own sample sharing the clip.
 * The fixture's rows and what each must become: tests/helpers/casme2-long-fixture.ts.
 */
const scratch = scratchDir('me-casme2-long-')
let ds: Casme2LongFixture
beforeAll(async () => {
  ds = await writeCasme2LongFixture(scratch.dir)
})
afterAll(() => scratch.cleanup())

/** Image folders only: no ffmpeg needed. */
const media = () => new MediaService({ ffmpeg: async () => Promise.reject(new Error('no video expected in this test')) })
const codesOf = (problems: ImportProblem[], row: number) => problems.filter((p) => p.row === row).map((p) => p.code)

const EXPECTED_SAMPLES = [
  's15/15_0101disgustingteeth#1',
  's15/15_0101disgustingteeth#2',
  's15/15_0101disgustingteeth#3',
  's15/15_0402eatingworms#1',
  's16/16_0101disgustingteeth',
  's16/16_0102girlcrashing#1',
  's16/16_0103happyend#1',
]

describe('CAS(ME)² long videos', () => {
  it('matches rows through the naming-rule sheets and makes one sample per expression', async () => {
    const opened = await openDataset(ds.root, media(), { format: 'casme2-long', labels: ds.labelPath })
    expect(opened.summary).toMatchObject({
      format: 'casme2-long',
      clips: 5,
      samples: 7,
      subjects: 2,
      labelRows: 8,
      matchedRows: 7,
      errors: 0,
      emotions: { negative: 2, positive: 3, surprise: 1 },
      megcClasses: { negative: 2, positive: 3, surprise: 1 },
    })
    expect(opened.scan.samples.map((s) => `${s.subject}/${s.name}`)).toEqual(EXPECTED_SAMPLES)
    // Row → sample; the duplicate row 4 points at row 1's sample, row 6 at nothing.
    expect(opened.matches.map((m) => [m.row.rowNumber, m.sample ? `${m.sample.subject}/${m.sample.name}` : null])).toEqual([
      [1, 's15/15_0101disgustingteeth#2'],
      [2, 's15/15_0101disgustingteeth#3'],
      [3, 's15/15_0101disgustingteeth#1'],
      [4, 's15/15_0101disgustingteeth#2'],
      [5, 's15/15_0402eatingworms#1'],
      [6, null],
      [7, 's16/16_0102girlcrashing#1'],
      [8, 's16/16_0103happyend#1'],
    ])
    const rows = opened.labels!.rows
    expect(rows[0]).toMatchObject({ subject: '1', sample: 'disgust1_1', clipSubject: '15', clipCode: '0101' })
    expect(rows[1]).toMatchObject({ onset: 20, apex: 24, offset: 28, expressionType: 'macro' })
    expect(rows[4]).toMatchObject({ subject: '1', sample: 'anger2_1', clipSubject: '15', clipCode: '0402' })
    expect(rows[5]).toMatchObject({ subject: '2', clipSubject: '16' })
    expect(rows[5]!.clipCode).toBeUndefined()

    expect(codesOf(opened.problems, 1)).toEqual([])
    expect(codesOf(opened.problems, 2)).toEqual(['labels/offset-derived'])
    expect(codesOf(opened.problems, 3)).toEqual([])
    expect(codesOf(opened.problems, 4)).toEqual(['labels/duplicate-row'])
    expect(codesOf(opened.problems, 5)).toEqual([])
    expect(codesOf(opened.problems, 6)).toEqual(['labels/unknown-sample'])
    expect(codesOf(opened.problems, 7)).toEqual([])
    expect(codesOf(opened.problems, 8)).toEqual([])
    expect(opened.problems.find((p) => p.row === 6)!.message).toContain('participant 2 → s16')
    expect(opened.problems.find((p) => p.row === 4)!.message).toMatch(/as row 1 \(s15\/15_0101disgustingteeth#2\)/)
    expect(opened.problems.filter((p) => p.row === undefined).map((p) => [p.code, p.sample])).toEqual([
      ['dataset/sample-without-label', 's16/16_0101disgustingteeth'],
    ])
    expect(opened.problems).toHaveLength(4)

    // The expressions of one video share its clip object; the unlabelled video keeps its own name.
    const [first, second, third] = opened.scan.samples
    expect(first!.clip).toBe(second!.clip)
    expect(second!.clip).toBe(third!.clip)
    expect(first!.video).toBe('15_0101disgustingteeth')
    expect(opened.scan.samples[4]!.video).toBeUndefined()
  })

  it('imports every expression as its own sample with its own dataset coding', async () => {
    const project = await Project.open(join(scratch.dir, 'service.meproj'), { create: true })
    try {
      const result = await importDataset(project, media(), ds.root, { format: 'casme2-long', labels: ds.labelPath })
      expect(result.summary).toMatchObject({ samples: 7, clips: 5, subjects: 2 })
      expect(result.labelled).toBe(6)
      expect(result.problems.map((p) => p.code).sort()).toEqual(
        ['dataset/sample-without-label', 'labels/duplicate-row', 'labels/offset-derived', 'labels/unknown-sample'].sort(),
      )
      const [dataset] = project.listDatasets()
      expect(dataset).toMatchObject({ sampleCount: 7, subjectCount: 2, format: 'casme2-long', fps: 30 })
      const samples = project.listSampleRows(dataset!.id)
      expect(samples.map((s) => `${s.subject}/${s.name}`).sort()).toEqual([...EXPECTED_SAMPLES].sort())
      const labels = project.listAnnotators().find((a) => a.role === 'dataset')!
      expect(labels.name).toBe('CAS(ME)² labels')
      const coding = (name: string) => {
        const sample = samples.find((s) => s.name === name)!
        return project.getAnnotation({ sampleId: sample.id, annotatorId: labels.id, adjudicated: false })
      }
      expect(coding('15_0101disgustingteeth#1')).toMatchObject({ onset: 2, apex: 3, offset: 4, emotion: 'surprise', notes: '' })
      expect(coding('15_0101disgustingteeth#2')).toMatchObject({ onset: 5, apex: 8, offset: 12, emotion: 'negative' })
      expect(coding('15_0101disgustingteeth#3')).toMatchObject({
        onset: 20,
        apex: 24,
        offset: 28,
        emotion: 'positive',
        notes: 'macro-expression',
      })
      expect(coding('15_0402eatingworms#1')).toMatchObject({ onset: 3, apex: 6, offset: 9 })
      expect(coding('16_0101disgustingteeth')).toBeNull()
      expect(coding('16_0102girlcrashing#1')).toMatchObject({ onset: 4, apex: 7, offset: 10 })
      expect(coding('16_0103happyend#1')).toMatchObject({ onset: 6, apex: 9, offset: 11 })

      // Samples sharing a clip: same clip path and frames, own codings. Batch items are keyed by
      // sample id, the frame cache and media index by clip path (shared, opened once), inference
      // stage caches by the clip's identity plus the frame indices (own per expression).
      const shared = samples.filter((s) => s.name.startsWith('15_0101disgustingteeth#'))
      expect(shared).toHaveLength(3)
      expect(new Set(shared.map((s) => s.clip.path)).size).toBe(1)
      expect(shared[0]!.clip.path).toBe(join(ds.root, 'rawpic', 's15', '15_0101disgustingteeth'))
      expect(shared.every((s) => s.clip.frameCount === 40)).toBe(true)
      const store = new BatchStore(project)
      const batch = shared.map((s) => store.sample(s.id))
      expect(new Set(batch.map((b) => b.clipPath)).size).toBe(1)
      expect(batch.map((b) => b.coded?.onset).sort((a, b) => a! - b!)).toEqual([2, 5, 20])
      const service = media()
      const inputs = await Promise.all(
        batch.map(async (b) => {
          const clip = await service.open(b.clipPath)
          return mediaSample(service, {
            clipPath: b.clipPath,
            onsetIndex: indexOfFrameNumber(clip, b.coded!.onset!),
            apexIndex: indexOfFrameNumber(clip, b.coded!.apex!),
            offsetIndex: indexOfFrameNumber(clip, b.coded!.offset!),
          })
        }),
      )
      expect(new Set(inputs.map((i) => i.key)).size).toBe(1)
      expect(inputs.map((i) => i.onsetIndex).sort((a, b) => a - b)).toEqual([1, 4, 19])
      const onsetFrames = await Promise.all(inputs.map((i) => i.readFrame(i.onsetIndex)))
      expect(new Set(onsetFrames.map((f) => f.data[0])).size).toBe(3)
    } finally {
      project.close()
    }
  })

  it('me-studio import --format casme2-long --labels prints the exact summary', async () => {
    const { code, stdout, stderr } = await runCliCaptured(['import', ds.root, '--project', 'cli.meproj', '--format', 'casme2-long', '--labels', ds.labelPath], scratch.dir)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/samples +7 in 2 subjects from 5 clips \(one sample per labelled expression of a long video\)/)
    expect(stdout).toMatch(/labels +8 rows, 7 matched a clip, 6 stored as "CAS\(ME\)² labels"/)
    expect(stdout).toMatch(/emotions +negative 2, positive 3, surprise 1/)
    expect(stdout).toMatch(/problems +0 error\(s\), 4 warning\(s\)/)
    expect(stdout).toMatch(/labels\/duplicate-row: Row 4:/)
    expect(stdout).toMatch(/labels\/unknown-sample: Row 6:/)
    expect(stdout).toMatch(/labels\/offset-derived: Row 2:/)
  })
})
