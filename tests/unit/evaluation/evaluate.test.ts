import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSelection } from '@shared/domain/batch'
import { evaluate, type EvaluationInput, type EvaluationUnit } from '../../../src/main/services/evaluation/evaluate'
import { evaluationCsv, evaluationHtml, formatEvaluationText } from '../../../src/main/services/evaluation/report'
import { inputsFromJob, inputsFromPredictionsCsv } from '../../../src/main/services/evaluation/sources'
import { runCli } from '../../../src/main/cli/run'
import { BatchService } from '../../../src/main/services/batch/batch-service'
import { BatchStore } from '../../../src/main/services/batch/store'
import { JobManager } from '../../../src/main/services/jobs'
import { writePredictionsCsv } from '../../../src/main/services/export/predictions'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

const MEGC = ['negative', 'positive', 'surprise']

function input(subject: string, emotion: string | null, predicted: string | null, modelId = 'net', protocol = 'all data'): EvaluationInput {
  return { dataset: 'A', subject, sample: `${subject}-${emotion}-${predicted}-${Math.random()}`, sampleId: null, modelId, protocol, trainingSubjects: null, classes: MEGC, classSet: null, codedEmotion: emotion, predicted }
}

describe('evaluation', () => {
  it('matches a hand-computed pooled case (MEGC mapping, exclusions counted)', () => {
    // coded → MEGC: disgust, repression, disgust → negative; happiness ×2 → positive; surprise → surprise.
    const report = evaluate([
      input('s1', 'disgust', 'negative'),
      input('s1', 'repression', 'negative'),
      input('s2', 'disgust', 'positive'),
      input('s2', 'happiness', 'positive'),
      input('s3', 'happiness', 'surprise'),
      input('s3', 'surprise', 'surprise'),
      input('s3', 'others', 'negative'),
      input('s3', null, 'negative'),
      input('s3', 'surprise', null),
    ])
    const unit = report.units[0]!
    // Confusion (rows coded): negative [2,1,0], positive [0,1,1], surprise [0,0,1].
    expect(unit.overall.confusion).toEqual({ classes: MEGC, counts: [[2, 1, 0], [0, 1, 1], [0, 0, 1]] })
    // F1: negative 2·2/(4+0+1)=0.8, positive 2/(2+1+1)=0.5, surprise 2/(2+1+0)=2/3 → UF1 = 0.655556
    expect(unit.overall.uf1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12)
    // Recall: 2/3, 1/2, 1 → UAR = 0.722222
    expect(unit.overall.uar).toBeCloseTo((2 / 3 + 0.5 + 1) / 3, 12)
    expect(unit.overall.accuracy).toBeCloseTo(4 / 6, 12)
    expect(unit.excluded).toEqual({ uncoded: 1, notInClasses: 1, failed: 1, seenInTraining: 0 })
    expect(unit.misclassified.map((m) => [m.subject, m.truth, m.predicted])).toEqual([['s2', 'negative', 'positive'], ['s3', 'positive', 'surprise']])
    // Per subject: s1 2/2 correct; s2 1/2; s3 1/2.
    expect(unit.perSubject.map((s) => [s.subject, s.report.n, s.report.accuracy])).toEqual([['s1', 2, 1], ['s2', 2, 0.5], ['s3', 2, 0.5]])
    const text = formatEvaluationText(report)
    expect(text).toContain('n 6   UF1 0.6556   UAR 0.7222   accuracy 0.6667')
    const csv = evaluationCsv(report)
    expect(csv.split('\r\n')[1]).toBe('net,overall,,,6,0.666667,0.655556,0.722222,0.800000,0.500000,0.666667,0.666667,0.500000,1.000000,3,2,1,' +
      '"one model, pooled over its predictions",leakage: training subjects unknown: the card does not record which subjects the model was trained on')
    const html = evaluationHtml(report, 'Evaluation')
    expect(html).toContain('<svg')
    expect(html).not.toMatch(/(src|href)=["']?https?:/)
  })

  it('evaluates per-fold models together, each sample with the fold that held its subject out', () => {
    const fold = (k: number, subject: string) => ({ modelId: `net-fold${k}`, protocol: `loso, fold ${k}: trained without A/${subject}` })
    const rows = [
      { ...input('s1', 'happiness', 'positive'), ...fold(0, 's1') },
      { ...input('s2', 'happiness', 'negative'), ...fold(0, 's1') }, // fold 0 trained on s2: left out
      { ...input('s2', 'happiness', 'positive'), ...fold(1, 's2') },
      { ...input('s2', 'surprise', 'negative'), ...fold(1, 's2') },
    ]
    const unit = evaluate(rows).units[0]!
    expect(unit).toMatchObject({ id: 'net', perFold: true, models: ['net-fold0', 'net-fold1'] })
    expect(unit.overall.n).toBe(3)
    expect(unit.excluded.seenInTraining).toBe(1)
    // positive: 2 TP; surprise: 1 FN; negative: 1 FP, absent from the ground truth → not averaged.
    expect(unit.overall.uar).toBeCloseTo((1 + 0) / 2, 12)
    expect(unit.overall.uf1).toBeCloseTo((1 + 0) / 2, 12)
  })

  it('flags a single model\'s figures on its training subjects, and keeps it apart from its fold family', () => {
    const allData = { modelId: 'net', protocol: 'loso cross-validation for the metrics; the shipped model is trained on all 3 samples', trainingSubjects: ['A/s1', 'A/s2'] }
    const fold = { modelId: 'net-fold0', protocol: 'loso, fold 0: trained without A/s3', trainingSubjects: ['A/s1', 'A/s2'] }
    const report = evaluate([
      { ...input('s1', 'happiness', 'positive'), ...allData },
      { ...input('s2', 'surprise', 'surprise'), ...allData },
      { ...input('s3', 'disgust', 'negative'), ...allData },
      { ...input('s3', 'disgust', 'positive'), ...fold },
    ])
    expect(report.units.map((u) => [u.id, u.perFold, u.overall.n])).toEqual([['net', false, 3], ['net', true, 1]])
    const [single, folds] = report.units as [EvaluationUnit, EvaluationUnit]
    expect(single.leakage).toEqual({
      subjectsKnown: true, seenInTraining: 2, note: '2 of 3 samples are from subjects the model was trained on: these are training-set figures, not held-out ones',
    })
    expect(single.figure).toBe('one model, pooled over its predictions')
    expect(folds.leakage).toBeNull()
    expect(folds.figure).toBe('LOSO per-fold models, pooled over held-out predictions')
    const text = formatEvaluationText(report)
    expect(text).toContain('  WARNING leakage: 2 of 3 samples are from subjects the model was trained on')
    expect(text).toContain('  figure: LOSO per-fold models, pooled over held-out predictions')
    expect(evaluationHtml(report, 'E')).toContain('<p class="warn">WARNING leakage: 2 of 3 samples')
    expect(evaluationCsv(report).split('\r\n')[1]).toMatch(/^net,overall,.*,"one model, pooled over its predictions","WARNING leakage: 2 of 3 samples/)
    // A card without training.subjects: no guess.
    const unknown = evaluate([{ ...input('s1', 'happiness', 'positive'), ...allData, trainingSubjects: null }]).units[0]!
    expect(unknown.leakage).toMatchObject({ subjectsKnown: false, seenInTraining: 0 })
    expect(unknown.leakage!.note).toMatch(/^training subjects unknown/)
  })

  it('scores a four-class model by its card\'s class set: repression is "other", not negative', () => {
    // MS-3D-ResNet's CASME II classes as models.train --classes ms3d-4 writes them into the card
    const classes = ['positive', 'negative', 'surprise', 'other']
    const classSet = {
      name: 'ms3d-4', description: 'MS-3D-ResNet on CASME II / SAMM', paperSets: { SAMM: 'ms3d-4', 'CASME II': 'ms3d-4', SMIC: 'megc3' },
      labels: { happiness: 'positive', disgust: 'negative', fear: 'negative', surprise: 'surprise', repression: 'other', others: 'other' },
    }
    const ms3d = (subject: string, emotion: string, predicted: string): EvaluationInput => ({ ...input(subject, emotion, predicted, 'ms3d'), classes, classSet })
    const unit = evaluate([
      ms3d('s1', 'repression', 'other'),
      ms3d('s1', 'others', 'negative'),
      ms3d('s2', 'disgust', 'negative'),
      ms3d('s2', 'happiness', 'positive'),
      ms3d('s3', 'surprise', 'other'),
      ms3d('s3', 'sadness', 'negative'), // not in the set's labels: left out
      ms3d('s3', 'negative', 'negative'), // a coarse label the kit did not train on: left out too
    ]).units[0]!
    expect(unit.overall.confusion).toEqual({ classes, counts: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 1]] })
    expect(unit.excluded.notInClasses).toBe(2)
    expect(unit.classMapping).toBe('ms3d-4: positive ← happiness; negative ← disgust, fear; surprise ← surprise; other ← repression, others; other labels left out')
    // the same samples under the MEGC rule of a card without a class set would have put repression into negative
    expect(evaluate([input('s1', 'repression', 'negative')]).units[0]!.classMapping).toMatch(/^MEGC 2019 composite \(the card names no class set\): negative ← anger, contempt, disgust, fear, sadness, repression, negative;/)
  })

  it('gives the same figures from a job in the project and from its exported CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-eval-'))
    const project = await createBatchProject(join(dir, 'p.meproj'), { datasets: ['CASME II', 'SAMM'] })
    try {
      const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
      const service = new BatchService({ jobs, predictors: deterministicSource([fixtureModel('model_a')], { failOn: 'EP04_02' }), project: () => project })
      const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
      await jobs.wait(jobId)
      const store = new BatchStore(project)
      const fromJob = evaluate(inputsFromJob(store, jobId))
      await writePredictionsCsv(store, jobId, join(dir, 'preds.csv'))
      const fromCsv = evaluate(inputsFromPredictionsCsv(store, [{ name: 'preds.csv', text: readFileSync(join(dir, 'preds.csv'), 'utf8') }]))
      expect(fromCsv).toEqual(fromJob)
      let stdout = ''
      const code = await runCli(['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', join(dir, 'preds.csv'), '--html', join(dir, 'r.html')], {
        stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false, env: process.env, cwd: dir,
      })
      // The project is open here, so the CLI cannot lock it: it must say so, not hang or corrupt it.
      expect(code).toBe(1)
      project.close()
      const again = await runCli(['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', join(dir, 'preds.csv'), '--html', join(dir, 'r.html')], {
        stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false, env: process.env, cwd: dir,
      })
      expect(again).toBe(0)
      expect(stdout).toBe(formatEvaluationText(fromJob))
      // The same CSV twice would count every sample twice: refused, naming the first duplicates.
      let stderr = ''
      const twice = await runCli(['evaluate', '--project', join(dir, 'p.meproj'), '--predictions', join(dir, 'preds.csv'), '--predictions', join(dir, 'preds.csv')], {
        stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false, env: process.env, cwd: dir,
      })
      expect(twice).toBe(1)
      expect(stderr).toMatch(/\d+ duplicate \(model, sample\) rows: .* First: model_a on CASME II\/sub01\/EP01_01 \(preds\.csv, line 2 and preds\.csv, line 2\); .*and \d+ more/)
      expect(readFileSync(join(dir, 'r.html'), 'utf8')).toContain('<svg')
      const unit = fromJob.units[0]!
      expect(unit.overall.n).toBeGreaterThan(0)
      expect(unit.overall.n + Object.values(unit.excluded).reduce((a, b) => a + b, 0)).toBe(24)
    } finally {
      project.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
