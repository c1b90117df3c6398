import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import ExcelJS from 'exceljs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import { writeCasme2Rows } from '../../helpers/sheet-bombs'
import { formatAus, parseAus } from '@shared/domain/au'
import { canonicalEmotion } from '@shared/domain/dataset'
import { requireFfmpeg } from '../../../src/main/services/ffmpeg-locator'
import { MediaService } from '../../../src/main/services/media/media-service'
import { importDataset } from '../../../src/main/services/project/import'
import { Project } from '../../../src/main/services/project/project'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import type { GroundTruth, SynthFormat } from '../../../src/main/services/synth/truth'
import { scratchDir } from '../../unit/project/project-fixture'

/** Small generated datasets (3 subjects × 2 samples, 64×64): exact counts and labels are known. */
const scratch = scratchDir('me-import-')
const truths = new Map<SynthFormat, { root: string; truth: GroundTruth }>()
let ffmpeg: string | null = null

beforeAll(async () => {
  ffmpeg = await requireFfmpeg().catch(() => null)
  for (const format of ['casme2', 'samm', 'video'] as SynthFormat[]) {
    if (format === 'video' && !ffmpeg) continue
    const root = join(scratch.dir, format)
    mkdirSync(root)
    const truth = await generateSyntheticDataset({
      outDir: root,
      format,
      subjects: 3,
      samplesPerSubject: 2,
      width: 64,
      height: 64,
      durationSeconds: [0.2, 0.25],
      seed: 7,
      ...(ffmpeg ? { ffmpegPath: ffmpeg } : {}),
    })
    truths.set(format, { root, truth })
  }
})
afterAll(() => scratch.cleanup())

describe('dataset import into the project', () => {
  for (const format of ['casme2', 'samm', 'video'] as SynthFormat[]) {
    it(`imports a generated ${format} dataset with exact samples, subjects and labels`, async (ctx) => {
      const generated = truths.get(format)
      if (!generated) return ctx.skip()
      const { root, truth } = generated
      const project = await Project.open(join(scratch.dir, `${format}.meproj`), { create: true })
      const media = new MediaService(ffmpeg ? { ffmpeg: async () => ffmpeg! } : {})
      const result = await importDataset(project, media, root)
      expect(result.summary.samples).toBe(6)
      expect(result.summary.subjects).toBe(3)
      expect(result.labelled).toBe(6)
      expect(result.problems.filter((p) => p.severity === 'error')).toEqual([])
      // Every layout synth writes is recognised by the importer (video: the generic layout with its labels.csv).
      expect(result.problems.map((p) => p.code)).not.toContain('dataset/format-guessed')

      const [dataset] = project.listDatasets()
      expect(dataset).toMatchObject({ sampleCount: 6, subjectCount: 3, root })
      const labels = project.listAnnotators().find((a) => a.role === 'dataset')!
      for (const t of truth.samples) {
        const sample = project.listSampleRows(dataset!.id).find((s) => s.name === t.sample)!
        expect(sample, t.sample).toBeDefined()
        expect(sample.clip.frameCount).toBe(t.frameCount)
        expect(sample.firstFrame).toBe(t.firstFrameNumber)
        const label = project.getAnnotation({ sampleId: sample.id, annotatorId: labels.id, adjudicated: false })!
        expect([label.onset, label.apex, label.offset]).toEqual([t.onset, t.apex, t.offset])
        expect(formatAus(label.aus)).toBe(formatAus(parseAus(t.auText).value))
        expect(label.emotion).toBe(canonicalEmotion(t.emotion) ?? t.emotion)
      }
      // the same folder twice is refused; the first import is untouched
      await expect(importDataset(project, media, root)).rejects.toMatchObject({ code: 'conflict' })
      expect(project.listDatasets()).toHaveLength(1)
      project.close()
    })
  }
})

describe('label rows with errors', () => {
  it('reports a row whose onset is after its apex and does not store it', async () => {
    const { root, truth } = truths.get('casme2')!
    const copy = join(scratch.dir, 'casme2-bad-row')
    cpSync(root, copy, { recursive: true })
    const sheetPath = join(copy, truth.labelFile)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(sheetPath)
    const sheet = workbook.worksheets[0]!
    const header = sheet.getRow(1).values as unknown[]
    const column = (name: string) => header.findIndex((v) => String(v).replace(/\s/g, '').toLowerCase() === name)
    const bad = truth.samples[0]!
    sheet.eachRow((row, n) => {
      if (n > 1 && String(row.getCell(column('filename')).value) === bad.sample) row.getCell(column('onsetframe')).value = bad.apex + 2
    })
    await workbook.xlsx.writeFile(sheetPath)

    const project = await Project.open(join(scratch.dir, 'bad-row.meproj'), { create: true })
    const result = await importDataset(project, new MediaService(), copy)
    expect(result.summary.samples).toBe(6)
    expect(result.labelled).toBe(5)
    const errors = result.problems.filter((p) => p.severity === 'error')
    expect(errors).toEqual([expect.objectContaining({ code: 'labels/onset-after-apex', sample: expect.stringContaining(bad.sample), message: expect.stringContaining('the row is not imported') })])
    const labels = project.listAnnotators().find((a) => a.role === 'dataset')!
    const sample = project.listSampleRows(project.listDatasets()[0]!.id).find((s) => s.name === bad.sample)!
    expect(project.getAnnotation({ sampleId: sample.id, annotatorId: labels.id, adjudicated: false })).toBeNull()
    project.close()
  })
})

describe('me-studio import', () => {
  const cli = (args: string[]) => runCliCaptured(args, scratch.dir)

  it('prints the summary and exits 0; a second import of the folder fails with 1', async () => {
    const first = await cli(['import', 'casme2', '--project', 'cli.meproj'])
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/samples +6 in 3 subjects/)
    expect(first.stdout).toMatch(/labels +6 rows, 6 matched a clip, 6 stored as "CASME II labels"/)
    expect(first.stdout).toMatch(/problems +0 error\(s\)/)
    const again = await cli(['import', 'casme2', '--project', 'cli.meproj', '--format', 'casme2'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already in this project \[conflict\]/)
  })

  it('exits 1 with the reason when --labels is given but cannot be used, storing nothing', async () => {
    writeFileSync(join(scratch.dir, 'not-a-zip.xlsx'), 'this is not a zip')
    writeFileSync(join(scratch.dir, 'no-header.csv'), 'a,b\n1,2\n')
    await writeCasme2Rows(join(scratch.dir, 'bomb.xlsx'), 1_500_000)
    const cases: [string, RegExp][] = [
      ['not-a-zip.xlsx', /not an xlsx workbook .*\[sheet\/unreadable\]/],
      ['no-header.csv', /No header row .*\[labels\/malformed\]/],
      ['bomb.xlsx', /unpacks to more than 64 MiB \(the limit\).*\[sheet\/too-large\]/],
      ['missing.xlsx', /No such file.*\[not-found\]/],
    ]
    for (const [labels, reason] of cases) {
      const r = await cli(['import', 'casme2', '--project', 'labels.meproj', '--labels', labels])
      expect(r.code, labels).toBe(1)
      expect(r.stderr, labels).toMatch(reason)
    }
    // The project these imports would have created is not left behind.
    expect(existsSync(join(scratch.dir, 'labels.meproj'))).toBe(false)
  })

  it('rejects an unknown format as a usage error', async () => {
    const r = await cli(['import', 'casme2', '--project', 'x.meproj', '--format', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--format must be one of/)
  })
})
