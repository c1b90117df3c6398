import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseSelection } from '@shared/domain/batch'
import { BatchService, type BatchProgress } from '../../../src/main/services/batch/batch-service'
import { CommitGroup, commitGroupFromEnv, DEFAULT_COMMIT_GROUP } from '../../../src/main/services/batch/commit-group'
import type { BatchResult } from '../../../src/main/services/batch/store'
import { JobManager } from '../../../src/main/services/jobs'
import type { Project } from '../../../src/main/services/project/project'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

const result = (n: number) => ({ item: { itemKey: `${n}|1`, sampleId: n, modelRowId: 1 } }) as unknown as BatchResult

describe('CommitGroup', () => {
  afterEach(() => vi.useRealTimers())

  it('commits when maxItems are waiting, in one call per group', () => {
    const commits: number[][] = []
    const group = new CommitGroup((r) => commits.push(r.map((x) => x.item.sampleId)), { maxItems: 3, maxDelayMs: 60_000 })
    for (let n = 1; n <= 7; n++) group.add(result(n))
    expect(commits).toEqual([[1, 2, 3], [4, 5, 6]])
    expect(group.size).toBe(1)
    group.flush()
    expect(commits).toEqual([[1, 2, 3], [4, 5, 6], [7]])
    group.flush()
    expect(commits).toHaveLength(3)
  })

  it('commits maxDelayMs after the first waiting item, not later', () => {
    vi.useFakeTimers()
    const commits: number[][] = []
    const group = new CommitGroup((r) => commits.push(r.map((x) => x.item.sampleId)), { maxItems: 100, maxDelayMs: 250 })
    group.add(result(1))
    vi.advanceTimersByTime(200)
    group.add(result(2))
    expect(commits).toEqual([])
    vi.advanceTimersByTime(50)
    expect(commits).toEqual([[1, 2]])
    group.add(result(3))
    vi.advanceTimersByTime(249)
    expect(commits).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(commits).toEqual([[1, 2], [3]])
  })

  it('maxDelayMs 0 commits every item on its own; discard drops the waiting ones', () => {
    const commits: number[][] = []
    const single = new CommitGroup((r) => commits.push(r.map((x) => x.item.sampleId)), { maxItems: 50, maxDelayMs: 0 })
    single.add(result(1))
    single.add(result(2))
    expect(commits).toEqual([[1], [2]])
    const dropped = new CommitGroup((r) => commits.push(r.map((x) => x.item.sampleId)), { maxItems: 50, maxDelayMs: 10 })
    dropped.add(result(3))
    dropped.discard()
    dropped.flush()
    expect(commits).toEqual([[1], [2]])
  })

  it('a failed timed commit is thrown at the next add', () => {
    vi.useFakeTimers()
    const group = new CommitGroup(() => {
      throw new Error('disk full')
    }, { maxItems: 10, maxDelayMs: 5 })
    group.add(result(1))
    vi.advanceTimersByTime(5)
    expect(() => group.add(result(2))).toThrow('disk full')
  })

  it('reads ME_STUDIO_BATCH_COMMIT', () => {
    expect(commitGroupFromEnv(undefined)).toEqual(DEFAULT_COMMIT_GROUP)
    expect(commitGroupFromEnv('4, 100')).toEqual({ maxItems: 4, maxDelayMs: 100 })
    expect(commitGroupFromEnv('1,0')).toEqual({ maxItems: 1, maxDelayMs: 0 })
    expect(() => commitGroupFromEnv('0,10')).toThrow(/ME_STUDIO_BATCH_COMMIT/)
    expect(() => commitGroupFromEnv('many')).toThrow(/ME_STUDIO_BATCH_COMMIT/)
  })
})

describe('batch group commit', () => {
  let dir: string
  let project: Project
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'me-group-'))
    project = await createBatchProject(join(dir, 'p.meproj'), { datasets: ['CASME II', 'SAMM'] })
  })
  afterEach(() => {
    project.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const committed = () => (project.database.db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n

  it('commits the waiting group at once on pause and on cancel, and a resume finishes without duplicates', async () => {
    const progress: BatchProgress[] = []
    const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
    // Groups that never fill and never time out: only pause, cancel and the end commit.
    const service = new BatchService({
      jobs,
      predictors: deterministicSource([fixtureModel('model_a')], { delayMs: 5 }),
      project: () => project,
      concurrency: 1,
      commitGroup: { maxItems: 1000, maxDelayMs: 600_000 },
      onProgress: (p) => progress.push(p),
    })
    const { jobId } = await service.start({ modelRefs: ['model_a'], selection: parseSelection('all') })
    while ((progress.at(-1)?.done ?? 0) < 3) await new Promise((r) => setTimeout(r, 2))
    expect(committed()).toBe(0)
    const ran = progress.at(-1)!.done
    expect(service.pause(jobId)).toBe(true)
    // Everything finished so far is in the project the moment pause returns.
    expect(committed()).toBe(ran)
    expect(service.job(jobId)).toMatchObject({ state: 'paused', done: ran })

    await service.resume(jobId)
    while ((progress.at(-1)?.done ?? 0) < ran + 3) await new Promise((r) => setTimeout(r, 2))
    const before = progress.at(-1)!.done
    service.cancel(jobId)
    expect(committed()).toBeGreaterThanOrEqual(before)
    await jobs.wait(jobId)
    expect(service.job(jobId).state).toBe('cancelled')
    expect(committed()).toBe(service.job(jobId).done)

    await service.resume(jobId)
    await jobs.wait(jobId)
    expect(service.job(jobId)).toMatchObject({ state: 'completed', done: 24 })
    const rows = project.database.db.prepare('SELECT sample_id, count(*) AS n FROM predictions GROUP BY sample_id').all() as { n: number }[]
    expect(rows).toHaveLength(24)
    expect(rows.every((r) => r.n === 1)).toBe(true)
  })
})
