import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'
import { DEMO_CODER, DEMO_DATASET, DEMO_LONG_VIDEO, datasetProjectFile, demoPaths } from '../../../src/main/services/demo/starter-projects'

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
    expect(progress).toContain('Generating synthetic clips and a long video')
    expect(progress.at(-1)).toBe('Demo ready')

    const info = await call(studio.registry, 'query:project.current', {})
    expect(info?.name).toBe('ME Studio demo')
    // The long video is imported first, so the short clips (the last dataset) are shown on opening.
    expect(info?.datasets.map((d) => d.format)).toEqual(['casme2-long', 'casme2'])
    const [long, short] = info!.datasets
    expect(short!.sampleCount).toBe(DEMO_DATASET.subjects * DEMO_DATASET.samplesPerSubject)
    expect(info?.annotators.map((a) => [a.name, a.role])).toEqual(expect.arrayContaining([[DEMO_CODER, 'coder'], ['CASME II labels', 'dataset']]))

    // The frames of a demo sample are served by the media layer's frame route.
    const [sample] = await call(studio.registry, 'query:samples.list', { filter: { datasetId: short!.id } })
    const record = await call(studio.registry, 'query:sample.get', { sampleId: sample!.id })
    const response = await studio.media.handle({ path: `frame/${encodeURIComponent(record.clip.path)}/0.raw`, searchParams: new URLSearchParams(), headers: new Headers(), method: 'GET' })
    expect(response.status).toBe(200)
    expect(response.headers.get('x-frame-width')).toBe(String(DEMO_DATASET.width))

    // The long video: one clip, each labelled expression its own sample; candidate review runs on it.
    const longSamples = await call(studio.registry, 'query:samples.list', { filter: { datasetId: long!.id } })
    expect(longSamples.map((x) => x.name)).toEqual(['15_0101disgustingteeth#1', '15_0101disgustingteeth#2', '15_0101disgustingteeth#3'])
    expect(longSamples[0]).toMatchObject({ fps: DEMO_LONG_VIDEO.fps, frameCount: DEMO_LONG_VIDEO.fps * DEMO_LONG_VIDEO.durationSeconds[0], firstFrame: 1 })
    await expect(call(studio.registry, 'command:spotting.start', { sampleId: sample!.id })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('long videos') })
    const spotted = await studio.jobs.wait((await call(studio.registry, 'command:spotting.start', { sampleId: longSamples[0]!.id })).jobId)
    expect(spotted.state, JSON.stringify(spotted.error)).toBe('completed')
    const run = (await call(studio.registry, 'query:spotting.candidates', { sampleId: longSamples[2]!.id }))!
    const expressions = run.candidates.filter((c) => c.label === 'expression')
    expect(expressions.map((c) => c.kind)).toEqual(['micro', 'macro', 'micro'])
    expect(run.candidates.filter((c) => c.label !== 'expression').map((c) => c.label).sort()).toEqual(['blink', 'blink', 'blink', 'head-motion'])
    const coder = info!.annotators.find((a) => a.name === DEMO_CODER)!.id
    const full = await call(studio.registry, 'query:spotting.evaluation', {})
    expect(full.pooled.overall).toMatchObject({ tp: 3, fp: 0, fn: 0, f1: 1 })
    await call(studio.registry, 'command:spotting.review', { action: 'accept', candidateId: expressions[0]!.id, annotatorId: coder })
    await call(studio.registry, 'command:spotting.review', { action: 'accept', candidateId: expressions[1]!.id, annotatorId: coder })
    await call(studio.registry, 'command:spotting.review', { action: 'reject', candidateId: expressions[2]!.id })
    const evaluation = await call(studio.registry, 'query:spotting.evaluation', {})
    expect(evaluation.pooled.overall).toMatchObject({ tp: 2, fp: 0, fn: 1 })
    expect(evaluation.pooled.overall.f1).toBeCloseTo(0.8, 6)

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
