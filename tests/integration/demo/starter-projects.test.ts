import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'
import { DEMO_CODER, DEMO_DATASET, datasetProjectFile, demoPaths } from '../../../src/main/services/demo/starter-projects'

describe('first-minute paths', () => {
  let studio: Studio
  let dir: string

  afterAll(async () => {
    await studio?.dispose()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('creates the demo project from the synthetic generator, opens it, and reopens it without regenerating', async () => {
    dir = await mkdtemp(join(tmpdir(), 'me-demo-'))
    studio = createStudio({ host: 'cli', userDataDir: dir, resourcesDir: join(process.cwd(), 'resources') })
    const progress: string[] = []
    studio.bus.subscribe((channel, payload) => {
      if (channel === 'event:job.progress') progress.push((payload as { message?: string }).message ?? '')
    })

    const { jobId } = await call(studio.registry, 'command:project.create-demo', {})
    const done = await studio.jobs.wait(jobId)
    expect(done.state, JSON.stringify(done.error)).toBe('completed')
    expect(done.result).toEqual({ projectPath: demoPaths(dir).projectFile, created: true })
    expect(progress).toContain('Generating synthetic clips')
    expect(progress.at(-1)).toBe('Demo ready')

    const info = await call(studio.registry, 'query:project.current', {})
    expect(info?.name).toBe('ME Studio demo')
    expect(info?.datasets).toHaveLength(1)
    expect(info?.datasets[0]!.sampleCount).toBe(DEMO_DATASET.subjects * DEMO_DATASET.samplesPerSubject)
    expect(info?.annotators.map((a) => [a.name, a.role])).toEqual(expect.arrayContaining([[DEMO_CODER, 'coder'], ['CASME II labels', 'dataset']]))

    // The frames of a demo sample are served by the media layer's frame route.
    const [sample] = await call(studio.registry, 'query:samples.list', { filter: {} })
    const record = await call(studio.registry, 'query:sample.get', { sampleId: sample!.id })
    const response = await studio.media.handle({ path: `frame/${encodeURIComponent(record.clip.path)}/0.raw`, searchParams: new URLSearchParams(), headers: new Headers(), method: 'GET' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-frame-width')).toBe(String(DEMO_DATASET.width))

    const again = await call(studio.registry, 'command:project.create-demo', {})
    const second = await studio.jobs.wait(again.jobId)
    expect(second.result).toEqual({ projectPath: demoPaths(dir).projectFile, created: false })
  })

  it('opens a dataset folder as its own project in the user data folder, and reuses it', async () => {
    const root = demoPaths(dir).datasetDir
    const first = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root })).jobId)
    expect(first.state, JSON.stringify(first.error)).toBe('completed')
    const { projectPath, created } = first.result as { projectPath: string; created: boolean }
    expect(created).toBe(true)
    expect(projectPath).toBe(datasetProjectFile(dir, await realpath(root)))
    const info = await call(studio.registry, 'query:project.current', {})
    expect(info?.path).toBe(projectPath)
    expect(info?.datasets[0]!.sampleCount).toBe(DEMO_DATASET.subjects * DEMO_DATASET.samplesPerSubject)

    const reused = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root })).jobId)
    expect(reused.result).toEqual({ projectPath, created: false })

    const missing = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root: join(dir, 'nope') })).jobId)
    expect(missing.state).toBe('failed')
    expect(missing.error).toMatchObject({ code: 'not-found', message: expect.stringContaining('No such folder') })
    expect((await call(studio.registry, 'query:project.current', {}))?.path).toBe(projectPath)

    // The project keeps the labels it was imported with: another labels file is refused, saying so.
    expect(info?.datasets[0]!.labelsPath).toMatch(/CASME2-coding-.*\.xlsx$/)
    const relabel = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root, labels: join(dir, 'other.csv') })).jobId)
    expect(relabel.state).toBe('failed')
    expect(relabel.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('keeps the labels it was imported with') })

    // Closing leaves nothing open: a reload of the UI shows the first screen.
    expect(await call(studio.registry, 'command:project.close', {})).toEqual({ closed: true })
    expect(await call(studio.registry, 'query:project.current', {})).toBeNull()
  })
})
