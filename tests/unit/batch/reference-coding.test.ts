import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseSelection } from '@shared/domain/batch'
import { runPredict } from '../../../src/main/cli/commands/predict'
import { BatchService } from '../../../src/main/services/batch/batch-service'
import { BatchStore } from '../../../src/main/services/batch/store'
import { exportPredictions } from '../../../src/main/services/export/predictions'
import { JobManager } from '../../../src/main/services/jobs'
import type { Project } from '../../../src/main/services/project/project'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

// #22 item 2: a batch takes the frames of the current coder (or the adjudicated coding) as
// Inspect and Motion do, and the predictions CSV says which coding, row by row.

let dir: string
let project: Project
/** The CLI test closes the project to open its file itself. */
let projectOpen: boolean

const fields = (onset: number, apex: number, offset: number, emotion: string) => ({
  onset, apex, offset, aus: { alternatives: [[]] }, emotion, objectiveClass: null, notes: '', confidence: null, status: 'done' as const,
})

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-batch-ref-'))
  project = await createBatchProject(join(dir, 'p.meproj'), { subjects: 1, perSubject: 3, uncodedEvery: 0 })
  projectOpen = true
})
afterEach(() => {
  if (projectOpen) project.close()
  rmSync(dir, { recursive: true, force: true })
})

async function runCsv(selection: ReturnType<typeof parseSelection>): Promise<Record<string, string>[]> {
  const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
  const service = new BatchService({ jobs, predictors: deterministicSource([fixtureModel('model_a')]), project: () => project })
  const { jobId } = await service.start({ modelRefs: ['model_a'], selection })
  expect((await jobs.wait(jobId)).state).toBe('completed')
  const path = join(dir, `${jobId}.csv`)
  await exportPredictions(new BatchStore(project), jobId, 'csv', path)
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\r\n')
  const columns = header!.split(',')
  return rows.map((r) => Object.fromEntries(r.split(',').map((cell, i) => [columns[i]!, cell])))
}

describe('the reference coding of a batch', () => {
  it("takes the coder's own frames, else the adjudicated coding, else the dataset's labels, and says which", async () => {
    const kim = project.ensureAnnotator('Kim', 'coder')
    const lee = project.ensureAnnotator('Lee', 'coder')
    const [first, second] = (project.database.db.prepare('SELECT id FROM samples ORDER BY name').pluck().all() as number[])
    project.putAnnotation({ sampleId: first!, annotatorId: kim.id, adjudicated: false }, fields(102, 111, 120, 'happiness'))
    project.putAnnotation({ sampleId: first!, annotatorId: lee.id, adjudicated: false }, fields(104, 113, 122, 'surprise'))
    project.putAnnotation({ sampleId: second!, annotatorId: lee.id, adjudicated: true }, fields(103, 114, 121, 'disgust'))

    // Without a coder: as before, adjudicated, else the dataset's labels (never a coder's when labels exist).
    const plain = await runCsv(parseSelection('all'))
    expect(plain.map((r) => [r.sample, r.onset, r.frames_coding])).toEqual([
      ['EP01_01', '100', 'dataset labels'],
      ['EP02_01', '103', 'adjudicated coding'],
      ['EP03_01', '100', 'dataset labels'],
    ])

    // Kim's frames where Kim coded; the adjudicated coding before the labels elsewhere.
    const mine = await runCsv({ ...parseSelection('all'), reference: { prefer: 'mine', annotatorId: kim.id } })
    expect(mine.map((r) => [r.sample, r.onset, r.apex, r.frames_source, r.frames_coding])).toEqual([
      ['EP01_01', '102', '111', 'coded', 'coding of Kim'],
      ['EP02_01', '103', '114', 'coded', 'adjudicated coding'],
      ['EP03_01', '100', '110', 'coded', 'dataset labels'],
    ])
    // The coded emotion (and so the evaluation) follows the same coding.
    expect(mine[0]!.coded_label).toBe('happiness')

    // The adjudicated coding first (Inspect's default), then Kim's own.
    const adjudicated = await runCsv({ ...parseSelection('all'), reference: { prefer: 'adjudicated', annotatorId: kim.id } })
    expect(adjudicated.map((r) => r.frames_coding)).toEqual(['coding of Kim', 'adjudicated coding', 'dataset labels'])

    // The dataset's labels first.
    const labels = await runCsv({ ...parseSelection('all'), reference: { prefer: 'dataset', annotatorId: kim.id } })
    expect(labels.map((r) => r.frames_coding)).toEqual(['dataset labels', 'dataset labels', 'dataset labels'])
  })

  it('the CLI takes the same choice: predict --coder NAME --frames-from mine', async () => {
    const kim = project.ensureAnnotator('Kim', 'coder')
    const [first] = project.database.db.prepare('SELECT id FROM samples ORDER BY name').pluck().all() as number[]
    project.putAnnotation({ sampleId: first!, annotatorId: kim.id, adjudicated: false }, fields(102, 111, 120, 'happiness'))
    const file = project.path
    project.close()
    projectOpen = false
    const io = { stdout: () => undefined, stderr: () => undefined, isTty: false, env: process.env, cwd: dir }
    const out = join(dir, 'cli.csv')
    const source = () => deterministicSource([fixtureModel('model_a')])
    expect(await runPredict({ project: file, model: 'model_a', coder: 'Kim', 'frames-from': 'mine', out }, io, source())).toBe(0)
    const [header, row] = readFileSync(out, 'utf8').split('\r\n')
    const cells = Object.fromEntries(header!.split(',').map((c, i) => [c, row!.split(',')[i]]))
    expect(cells).toMatchObject({ sample: 'EP01_01', onset: '102', frames_coding: 'coding of Kim' })
    await expect(runPredict({ project: file, model: 'model_a', coder: 'Nobody' }, io, source())).rejects.toThrow('No coder named "Nobody" in the project (coders: dataset labels, Kim)')
    await expect(runPredict({ project: file, model: 'model_a', coder: 'Kim', 'frames-from': 'theirs' }, io, source())).rejects.toThrow('--frames-from is one of adjudicated, mine, dataset')
    await expect(runPredict({ project: file, model: 'model_a', 'frames-from': 'mine' }, io, source())).rejects.toThrow('--frames-from needs --coder')
  })
})
