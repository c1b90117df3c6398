import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseSelection, shardOf } from '@shared/domain/batch'
import { BatchService, type BatchProgress } from '../../../src/main/services/batch/batch-service'
import type { SampleScope } from '../../../src/main/services/batch/predictor'
import { BatchStore } from '../../../src/main/services/batch/store'
import { JobManager } from '../../../src/main/services/jobs'
import { exportPredictions } from '../../../src/main/services/export/predictions'
import { Project } from '../../../src/main/services/project/project'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

let dir: string
let project: Project

/**
 * The batch's progress reports, and a latch on them: `reached(n)` resolves once at least n items
 * are done, so the tests step on the batch's own events rather than on timers.
 */
function progressLatch() {
  const progress: BatchProgress[] = []
  const waiting: { n: number; resolve: () => void }[] = []
  const report = (p: BatchProgress) => {
    progress.push(p)
    for (const w of waiting.filter((w) => p.done >= w.n)) {
      waiting.splice(waiting.indexOf(w), 1)
      w.resolve()
    }
  }
  const reached = (n: number) =>
    (progress.at(-1)?.done ?? 0) >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))
  return { progress, report, reached }
}

function harness(source = deterministicSource([fixtureModel('model_a'), fixtureModel('model_b', ['happiness', 'disgust', 'surprise', 'others'])])) {
  const errors: string[] = []
  const { progress, report, reached } = progressLatch()
  const jobs = new JobManager({ progress: () => undefined, itemError: (e) => errors.push(e.item), done: () => undefined })
  const service = new BatchService({ jobs, predictors: source, project: () => project, onProgress: report, concurrency: 2 })
  return { jobs, service, source, errors, progress, reached }
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-batch-'))
  project = await createBatchProject(join(dir, 'p.meproj'), { datasets: ['CASME II', 'SAMM'] })
})
afterEach(() => {
  project.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('batch service', () => {
  it('runs every model over the selection, sample-major, and records one prediction per item', async () => {
    const { jobs, service, source, progress } = harness()
    const { jobId, total } = await service.start({ modelRefs: ['model_a', 'model_b'], selection: parseSelection('all') })
    expect(total).toBe(2 * 3 * 4 * 2)
    const done = await jobs.wait(jobId)
    expect(done.state).toBe('completed')
    expect(service.job(jobId)).toMatchObject({ state: 'completed', done: total, failed: 0 })
    expect(source.predictors.map((p) => p.calls)).toEqual([24, 24])
    expect(progress.at(-1)).toMatchObject({ done: total, total })
    expect(progress.at(-1)!.throughput).toBeGreaterThan(0)
    const rows = [...new BatchStore(project).iteratePredictions(jobId)]
    expect(rows).toHaveLength(total)
    expect(new Set(rows.map((r) => `${r.sampleId}/${r.modelId}`)).size).toBe(total)
  })

  it('gives the models of a sample one scope to share, and each sample its own', async () => {
    const source = deterministicSource([fixtureModel('model_a'), fixtureModel('model_b')])
    const scopes = new Map<number, Set<SampleScope>>()
    for (const predictor of source.predictors) {
      const predict = predictor.predictSample.bind(predictor)
      predictor.predictSample = (sample, options) => {
        scopes.set(sample.sampleId, (scopes.get(sample.sampleId) ?? new Set()).add(options.scope))
        return predict(sample, options)
      }
    }
    const { jobs, service } = harness(source)
    const { jobId } = await service.start({ modelRefs: ['model_a', 'model_b'], selection: parseSelection('all') })
    await jobs.wait(jobId)
    expect(scopes.size).toBe(24)
    expect([...scopes.values()].every((s) => s.size === 1)).toBe(true)
    expect(new Set([...scopes.values()].flatMap((s) => [...s])).size).toBe(24)
  })

  it('filters by subject, dataset and coding status', async () => {
    const { jobs, service } = harness()
    const count = async (select: string) => {
      const { jobId, total } = await service.start({ modelRefs: ['model_a'], selection: parseSelection(select) })
      await jobs.wait(jobId)
      return total
    }
    expect(await count('subject=sub02')).toBe(8)
    expect(await count('dataset=SAMM,subject=sub02')).toBe(4)
    const coded = await count('coded')
    const uncoded = await count('uncoded')
    expect(coded + uncoded).toBe(24)
    expect(uncoded).toBe(3) // every 7th of 24 samples
  })

  it('collects per-sample errors and goes on', async () => {
    const { jobs, service, errors } = harness(deterministicSource([fixtureModel('model_a')], { failOn: 'EP03' }))
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await jobs.wait(jobId)
    const job = service.job(jobId)
    expect(job).toMatchObject({ state: 'completed', done: 24, failed: 6 })
    expect(errors).toHaveLength(6)
    expect(errors[0]).toMatch(/^CASME II\/sub01\/EP03_01 · model_a$/)
    const itemErrors = new BatchStore(project).itemErrors(jobId)
    expect(itemErrors).toHaveLength(6)
    expect(itemErrors[0]!.error).toEqual({ code: 'model/run-failed', message: 'frame 112 of EP03_01 is unreadable' })
  })

  it('pauses between items, resumes, and can be cancelled then resumed to completion without duplicates', async () => {
    const { jobs, service, source, reached, progress } = harness(deterministicSource([fixtureModel('model_a')], { delayMs: 5 }))
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await reached(2)
    expect(service.pause(jobId)).toBe(true)
    await vi.waitFor(() => expect(service.job(jobId).state).toBe('paused'))
    const callsWhilePaused = source.predictors[0]!.calls
    // Nothing to wait for here: a paused batch must stay still, so give it time to (wrongly) move.
    await new Promise((r) => setTimeout(r, 30))
    expect(source.predictors[0]!.calls).toBe(callsWhilePaused)
    const before = progress.at(-1)!.done
    await service.resume(jobId)
    await reached(before + 1)
    service.cancel(jobId)
    expect((await jobs.wait(jobId)).state).toBe('cancelled')
    const partial = service.job(jobId)
    expect(partial.state).toBe('cancelled')
    expect(partial.done).toBeLessThan(24)
    await service.resume(jobId)
    await jobs.wait(jobId)
    expect(service.job(jobId)).toMatchObject({ state: 'completed', done: 24 })
    expect([...new BatchStore(project).iteratePredictions(jobId)]).toHaveLength(24)
  })

  it('stops without losing or failing items when the project is closed mid-batch, and resumes after reopening', async () => {
    const { jobs, service, reached } = harness(deterministicSource([fixtureModel('model_a')], { delayMs: 10 }))
    const file = project.path
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await reached(2)
    project.close()
    expect((await jobs.wait(jobId)).state).toBe('cancelled')
    project = await Project.open(file, { keepBackups: 0 })
    const interrupted = service.job(jobId)
    expect(interrupted).toMatchObject({ state: 'running', failed: 0 })
    expect(interrupted.done).toBeLessThan(24)
    await service.resume(jobId)
    await jobs.wait(jobId)
    expect(service.job(jobId)).toMatchObject({ state: 'completed', done: 24, failed: 0 })
  })

  it('commits the finished items of its commit groups on request (quit), so the resume recomputes none of them', async () => {
    const { progress, report, reached } = progressLatch()
    const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
    const source = deterministicSource([fixtureModel('model_a')], { delayMs: 10 })
    // A group that would wait for all 24 items: without the flush, nothing would be committed.
    const service = new BatchService({ jobs, predictors: source, project: () => project, onProgress: report, concurrency: 2, commitGroup: { maxItems: 1000, maxDelayMs: 60_000 } })
    const file = project.path
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await reached(2)
    const finished = progress.at(-1)!.done
    expect(finished).toBeGreaterThan(0)
    service.flushCommits()
    project.close()
    await jobs.wait(jobId)
    project = await Project.open(file, { keepBackups: 0 })
    expect(service.job(jobId)).toMatchObject({ state: 'running', done: finished, failed: 0 })
    const callsBefore = source.predictors[0]!.calls
    await service.resume(jobId)
    await jobs.wait(jobId)
    expect(service.job(jobId)).toMatchObject({ state: 'completed', done: 24, failed: 0 })
    expect(source.predictors[0]!.calls - callsBefore).toBe(24 - finished)
  })

  it('refuses to resume with a model whose weights changed', async () => {
    const { jobs, service } = harness(deterministicSource([fixtureModel('model_a')], { delayMs: 2 }))
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    service.cancel(jobId)
    await jobs.wait(jobId)
    const changed = { ...fixtureModel('model_a'), sha256: 'f'.repeat(64) }
    const other = harness(deterministicSource([changed]))
    await expect(other.service.resume(jobId)).rejects.toMatchObject({ code: 'conflict' })
  })

  it('gives a per-fold LOSO model only the samples of the subject it held out', async () => {
    const folds = ['sub01', 'sub02', 'sub03'].map((s, k) => fixtureModel(`net-fold${k}`, undefined, `loso, fold ${k}: trained without SAMM/${s}`))
    const { jobs, service } = harness(deterministicSource(folds))
    const { jobId, total } = await service.start({ modelRefs: folds.map((f) => f.id), selection: parseSelection('dataset=SAMM') })
    await jobs.wait(jobId)
    expect(total).toBe(12)
    for (const row of new BatchStore(project).iteratePredictions(jobId)) expect(row.modelId).toBe(`net-fold${Number(row.subject.slice(3)) - 1}`)
  })

  it('shards k/N cover a selection exactly once', async () => {
    const { jobs, service } = harness()
    const seen: string[] = []
    for (let k = 1; k <= 3; k++) {
      const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all'), shard: { index: k, count: 3 } })
      await jobs.wait(jobId)
      for (const row of new BatchStore(project).iteratePredictions(jobId)) {
        expect(shardOf(row.dataset, row.subject, row.sample, 3)).toBe(k)
        seen.push(`${row.dataset}/${row.subject}/${row.sample}`)
      }
    }
    expect(seen).toHaveLength(24)
    expect(new Set(seen).size).toBe(24)
  })

  it('exports (awaiting between rows) while a batch keeps committing on the same connection', async () => {
    const { jobs, service } = harness(deterministicSource([fixtureModel('model_a')], { delayMs: 2 }))
    const first = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await jobs.wait(first.jobId)
    const second = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    const store = new BatchStore(project)
    for (let i = 0; i < 3; i++) await exportPredictions(store, first.jobId, 'json', join(dir, `during-${i}.json`))
    await jobs.wait(second.jobId)
    expect(service.job(second.jobId)).toMatchObject({ state: 'completed', done: 24, failed: 0 })
  })

  it('re-exports the same job byte-identically, in every format', async () => {
    const { jobs, service } = harness()
    const { jobId } = await service.start({ modelRefs: ['model_a', 'model_b'], selection: parseSelection('all'), summaries: true })
    await jobs.wait(jobId)
    const store = new BatchStore(project)
    for (const format of ['csv', 'json', 'xlsx'] as const) {
      const a = join(dir, `a.${format}`)
      const b = join(dir, `b.${format}`)
      await exportPredictions(store, jobId, format, a, { summaries: format !== 'csv' })
      // A second later: any clock time written into the file would now differ.
      await new Promise((r) => setTimeout(r, 1100))
      await exportPredictions(store, jobId, format, b, { summaries: format !== 'csv' })
      expect(readFileSync(a).equals(readFileSync(b)), format).toBe(true)
    }
  }, 20_000)

  it('never replaces an existing export unless asked, and writes only the format\'s extension', async () => {
    const { jobs, service } = harness()
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    await jobs.wait(jobId)
    const store = new BatchStore(project)
    for (const format of ['csv', 'json', 'xlsx'] as const) {
      const target = join(dir, `exists.${format}`)
      writeFileSync(target, 'earlier')
      await expect(exportPredictions(store, jobId, format, target)).rejects.toMatchObject({ code: 'export/target-exists' })
      expect(readFileSync(target, 'utf8')).toBe('earlier')
      expect((await exportPredictions(store, jobId, format, target, { overwrite: true })).rows).toBe(24)
      expect(readFileSync(target, 'utf8')).not.toBe('earlier')
    }
    await expect(exportPredictions(store, jobId, 'json', join(dir, 'preds.csv'))).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('writes only .json files') })
    expect(existsSync(join(dir, 'preds.csv'))).toBe(false)
  })
})
