import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import { parseSelection } from '@shared/domain/batch'
import { BatchService } from '../../../src/main/services/batch/batch-service'
import { BatchStore } from '../../../src/main/services/batch/store'
import { evaluate, type EvaluationInput } from '../../../src/main/services/evaluation/evaluate'
import { confusionCsvPath, confusionShade, evaluationConfusionCsv, evaluationCsv } from '../../../src/main/services/evaluation/report'
import { evaluationPng, evaluationSvg, REPORT_IMAGE_SCALE } from '../../../src/main/services/evaluation/report-image'
import { writePredictionsCsv } from '../../../src/main/services/export/predictions'
import { parseCsv } from '../../../src/main/services/formats/csv'
import { JobManager } from '../../../src/main/services/jobs'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

const MEGC = ['negative', 'positive', 'surprise']

function input(subject: string, emotion: string, predicted: string, n: number): EvaluationInput {
  return { dataset: 'A', subject, sample: `${subject}_${n}`, sampleId: null, modelId: 'net', protocol: 'all data', trainingSubjects: null, classes: MEGC, classSet: null, codedEmotion: emotion, predicted }
}

// The hand-computed case of evaluate.test.ts: coded → MEGC (disgust, repression → negative; happiness → positive).
// Overall (rows coded): negative [2,1,0], positive [0,1,1], surprise [0,0,1].
// Per subject: s1 negative [2,0,0]; s2 negative [0,1,0], positive [0,1,0]; s3 positive [0,0,1], surprise [0,0,1].
const report = evaluate([
  input('s1', 'disgust', 'negative', 1),
  input('s1', 'repression', 'negative', 2),
  input('s2', 'disgust', 'positive', 3),
  input('s2', 'happiness', 'positive', 4),
  input('s3', 'happiness', 'surprise', 5),
  input('s3', 'surprise', 'surprise', 6),
])

const matrixRows = (scope: string, dataset: string, subject: string, counts: number[][]) =>
  counts.flatMap((row, t) => row.map((n, p) => `net,${scope},${dataset},${subject},${MEGC[t]},${MEGC[p]},${n}`))

describe('evaluation CSV: confusion matrices', () => {
  it('writes one row per cell of every matrix (overall, per dataset, per subject), exactly', () => {
    const expected = [
      'model,scope,dataset,subject,coded_class,predicted_class,count',
      ...matrixRows('overall', '', '', [[2, 1, 0], [0, 1, 1], [0, 0, 1]]),
      ...matrixRows('dataset', 'A', '', [[2, 1, 0], [0, 1, 1], [0, 0, 1]]),
      ...matrixRows('subject', 'A', 's1', [[2, 0, 0], [0, 0, 0], [0, 0, 0]]),
      ...matrixRows('subject', 'A', 's2', [[0, 1, 0], [0, 1, 0], [0, 0, 0]]),
      ...matrixRows('subject', 'A', 's3', [[0, 0, 0], [0, 0, 1], [0, 0, 1]]),
    ]
    expect(evaluationConfusionCsv(report)).toBe(expected.join('\r\n') + '\r\n')
    // The first rows spelled out: 3 × 3 cells of the overall matrix.
    expect(expected.slice(1, 4)).toEqual(['net,overall,,,negative,negative,2', 'net,overall,,,negative,positive,1', 'net,overall,,,negative,surprise,0'])
  })

  it('leaves the summary CSV as it was (same header, same rows)', () => {
    const lines = evaluationCsv(report).split('\r\n')
    expect(lines[0]).toBe('model,scope,dataset,subject,n,accuracy,uf1,uar,f1_negative,f1_positive,f1_surprise,recall_negative,recall_positive,recall_surprise,support_negative,support_positive,support_surprise,figure,leakage')
    expect(lines[1]).toBe('net,overall,,,6,0.666667,0.655556,0.722222,0.800000,0.500000,0.666667,0.666667,0.500000,1.000000,3,2,1,' +
      '"one model, pooled over its predictions",leakage: training subjects unknown: the card does not record which subjects the model was trained on')
    expect(lines[2]).toMatch(/,,$/) // figure and leakage: on the overall row only
    expect(lines).toHaveLength(1 + 5 + 1)
  })

  it('names the companion file after the summary CSV', () => {
    expect(confusionCsvPath('/x/report.csv')).toBe('/x/report.confusion.csv')
    expect(confusionCsvPath('/x/report.CSV')).toBe('/x/report.confusion.csv')
    expect(confusionCsvPath('/x/report')).toBe('/x/report.confusion.csv')
  })
})

describe('evaluation PNG', () => {
  it('decodes, has the laid-out size, and shows the matrix shades, the bars and the text', async () => {
    const png = await evaluationPng(report, 'Evaluation — preds.csv')
    const image = sharp(png)
    const meta = await image.metadata()
    expect(meta.format).toBe('png')
    // Layout (SVG units): width = margin 24 + confusion (label 96 + 3 × 56) + gap 40 + bars (150 + 260 + 60) + margin 24 = 822;
    // height = margin 24 + title 48 + unit header 100 + max(confusion 20 + 3 × 56, bars 6 × 18 + 4) + caption 20 + margin 24 = 404.
    expect(evaluationSvg(report, 'x')).toMatchObject({ width: 822, height: 404 })
    expect(REPORT_IMAGE_SCALE).toBe(2)
    expect([meta.width, meta.height]).toEqual([1644, 808])
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true })
    expect(info.channels).toBe(3)
    const pixel = (x: number, y: number) => {
      const i = (Math.round(y * REPORT_IMAGE_SCALE) * info.width + Math.round(x * REPORT_IMAGE_SCALE)) * 3
      return [data[i], data[i + 1], data[i + 2]]
    }
    // Confusion cell (coded t, predicted p) starts at (24 + 96 + 56p, 72 + 100 + 20 + 56t); its shade is the row share.
    const cell = (t: number, p: number) => pixel(24 + 96 + 56 * p + 8, 72 + 100 + 20 + 56 * t + 8)
    expect(cell(2, 2)).toEqual(confusionShade(1)) // surprise: 1 of 1
    expect(confusionShade(1)).toEqual([40, 124, 255])
    expect(cell(0, 0)).toEqual(confusionShade(2 / 3)) // negative: 2 of 3
    expect(cell(0, 2)).toEqual(confusionShade(0)) // negative → surprise: 0
    // First bar (F1 negative = 0.8: 208 of 260 px) from x = 24 + 264 + 40 + 150 = 478, y = 172 + 2.
    expect(pixel(478 + 200, 172 + 8)).toEqual([0x4a, 0x7f, 0xd6])
    expect(pixel(478 + 220, 172 + 8)).toEqual([255, 255, 255])
    // Background white, and dark text somewhere (title, figures).
    expect(pixel(4, 4)).toEqual([255, 255, 255])
    const stats = await sharp(png).stats()
    expect(stats.channels[0]!.min).toBeLessThan(60)
    expect(stats.channels[0]!.stdev).toBeGreaterThan(10)
    // Deterministic: same report, same bytes.
    expect((await evaluationPng(report, 'Evaluation — preds.csv')).equals(png)).toBe(true)
  })
})

describe('me-studio evaluate --png / --csv', () => {
  it('writes the PNG report and the summary CSV with its confusion-matrix companion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-eval-export-'))
    const project = await createBatchProject(join(dir, 'p.meproj'), { datasets: ['CASME II', 'SAMM'] })
    try {
      const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
      const service = new BatchService({ jobs, predictors: deterministicSource([fixtureModel('model_a')]), project: () => project })
      const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
      await jobs.wait(jobId)
      await writePredictionsCsv(new BatchStore(project), jobId, join(dir, 'preds.csv'))
      project.close()
      const { code, stderr } = await runCliCaptured(['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', 'preds.csv', '--png', 'r.png', '--csv', 'r.csv'], dir)
      expect(code, stderr).toBe(0)
      const meta = await sharp(readFileSync(join(dir, 'r.png'))).metadata()
      expect(meta.format).toBe('png')
      expect(meta.width).toBeGreaterThanOrEqual(1440)
      const summary = parseCsv(readFileSync(join(dir, 'r.csv'), 'utf8')).filter((r) => r.length > 1)
      const confusion = parseCsv(readFileSync(join(dir, 'r.confusion.csv'), 'utf8')).filter((r) => r.length > 1)
      expect(confusion[0]).toEqual(['model', 'scope', 'dataset', 'subject', 'coded_class', 'predicted_class', 'count'])
      // Every summary row's n is the sum of its matrix's cells.
      const [header, ...rows] = summary
      for (const row of rows) {
        const key = [row[0], row[1], row[2], row[3]].join('|')
        const cells = confusion.slice(1).filter((c) => [c[0], c[1], c[2], c[3]].join('|') === key)
        expect(cells.length).toBeGreaterThan(0)
        expect(cells.reduce((s, c) => s + Number(c[6]), 0)).toBe(Number(row[header!.indexOf('n')]))
      }

      // Nothing is replaced without --force, and every output is checked before any is written:
      // an existing confusion companion refuses --csv and leaves no new --html behind.
      const evaluateArgs = ['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', 'preds.csv']
      const pngBefore = readFileSync(join(dir, 'r.png'))
      const refused = await runCliCaptured([...evaluateArgs, '--html', 'r.html', '--csv', 'other.csv', '--png', 'r.png'], dir)
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/r\.png already exists: .*--force.*\[export\/target-exists\]/)
      expect(existsSync(join(dir, 'r.html'))).toBe(false)
      expect(readFileSync(join(dir, 'r.png')).equals(pngBefore)).toBe(true)
      writeFileSync(join(dir, 'lone.confusion.csv'), 'mine')
      expect((await runCliCaptured([...evaluateArgs, '--csv', 'lone.csv'], dir)).stderr).toContain('lone.confusion.csv already exists')
      expect(existsSync(join(dir, 'lone.csv'))).toBe(false)
      expect((await runCliCaptured([...evaluateArgs, '--html', 'report.txt'], dir)).stderr).toMatch(/writes only \.html or \.htm files.*\[invalid-input\]/)
      const forced = await runCliCaptured([...evaluateArgs, '--csv', 'r.csv', '--png', 'r.png', '--force'], dir)
      expect(forced.code, forced.stderr).toBe(0)
      // A missing predictions file is named, with an error code.
      const missing = await runCliCaptured(['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', 'missing.csv'], dir)
      expect(missing.code).toBe(1)
      expect(missing.stderr).toBe(`me-studio evaluate: file not found: ${join(dir, 'missing.csv')} [not-found]\n`)
    } finally {
      project.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
