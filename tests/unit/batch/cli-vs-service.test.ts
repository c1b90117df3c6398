import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPredict } from '../../../src/main/cli/commands/predict'
import { registerBatchHandlers } from '../../../src/main/ipc/handlers/batch'
import { HandlerRegistry } from '../../../src/main/ipc/registry'
import { BatchResults, type BatchResultsDeps } from '../../../src/main/services/batch/batch-results'
import { BatchService } from '../../../src/main/services/batch/batch-service'
import { Downloads } from '../../../src/main/services/files/downloads'
import type { ProjectService } from '../../../src/main/services/project/projects'
import { JobManager } from '../../../src/main/services/jobs'
import type { StudioContext } from '../../../src/main/ipc/context'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'

const dir = mkdtempSync(join(tmpdir(), 'me-cli-ui-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const models = () => [fixtureModel('model_a'), fixtureModel('model_b', ['happiness', 'disgust', 'surprise', 'others'])]

describe('the CLI and the app produce the same predictions CSV', () => {
  it('predict --out equals command:batch.start + command:batch.export on the same generated dataset', async () => {
    // The app's path: the IPC handlers over the batch service.
    const project = await createBatchProject(join(dir, 'app.meproj'), { datasets: ['CASME II', 'SAMM'] })
    const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
    const batch = new BatchService({ jobs, predictors: deterministicSource(models(), { failOn: 'EP02_03' }), project: () => project })
    const registry = new HandlerRegistry()
    const projects = { require: () => ({ project }) } as unknown as ProjectService
    const batchResults = new BatchResults({ batch, jobs, projects, downloads: new Downloads() } as unknown as BatchResultsDeps)
    registerBatchHandlers(registry, { batch, batchResults, projects } as unknown as StudioContext)
    const via = { via: 'test' as const }
    const started = await registry.invoke('command:batch.start', { models: ['model_a', 'model_b'], selection: { coded: 'any', dataset: 'SAMM' } }, via)
    expect(started.ok).toBe(true)
    const { jobId } = (started as { value: { jobId: string } }).value
    await jobs.wait(jobId)
    const exported = await registry.invoke('command:batch.export', { jobId, format: 'csv', path: join(dir, 'app.csv') }, via)
    expect(exported).toMatchObject({ ok: true, value: { rows: 24 } })
    const listed = await registry.invoke('query:batch.jobs', {}, via)
    expect(listed).toMatchObject({ ok: true, value: [{ jobId, state: 'completed', done: 24, failed: 2, scope: 'dataset=SAMM', active: false }] })
    project.close()

    // The CLI's path, on a second project with the same samples.
    ;(await createBatchProject(join(dir, 'cli.meproj'), { datasets: ['CASME II', 'SAMM'] })).close()
    let stderr = ''
    const code = await runPredict(
      { project: join(dir, 'cli.meproj'), model: 'model_a,model_b', select: 'dataset=SAMM', out: join(dir, 'cli.csv') },
      { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false, env: process.env, cwd: dir },
      deterministicSource(models(), { failOn: 'EP02_03' }),
    )
    expect(code, stderr).toBe(0)
    expect(stderr).toMatch(/failed: SAMM\/sub03\/EP02_03 · model_a: frame 112 of EP02_03 is unreadable \[model\/run-failed\]/)
    expect(readFileSync(join(dir, 'cli.csv'), 'utf8')).toBe(readFileSync(join(dir, 'app.csv'), 'utf8'))
  })
})
