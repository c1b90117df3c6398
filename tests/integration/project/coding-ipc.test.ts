import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import { scratchDir } from '../../unit/project/project-fixture'

/**
 * The coding workflow through the contract, as the UI drives it: create a project, import a
 * generated dataset (job), code a sample, undo/redo, restart, second coder, agreement, export.
 */
const scratch = scratchDir('me-coding-ipc-')
let studio: Studio
const events: { channel: string; payload: unknown }[] = []

beforeAll(async () => {
  mkdirSync(join(scratch.dir, 'data'))
  await generateSyntheticDataset({ outDir: join(scratch.dir, 'data'), format: 'casme2', subjects: 2, samplesPerSubject: 2, width: 64, height: 64, durationSeconds: [0.2, 0.25], seed: 3 })
  studio = createStudio({ host: 'bridge', userDataDir: scratch.dir, resourcesDir: 'resources', visionWorkers: 1 })
  studio.bus.subscribe((channel, payload) => events.push({ channel, payload }))
})
afterAll(async () => {
  await studio.dispose()
  scratch.cleanup()
})

describe('coding through the IPC contract', () => {
  it('codes, undoes, survives a reopen, compares two coders and exports', async () => {
    const r = studio.registry
    const projectPath = join(scratch.dir, 'study.meproj')
    const created = await call(r, 'command:project.create', { path: projectPath, name: 'Pilot study' })
    expect(created).toMatchObject({ name: 'Pilot study', blindMode: false, datasets: [] })

    const { jobId } = await call(r, 'command:dataset.import', { root: join(scratch.dir, 'data') })
    const done = await studio.jobs.wait(jobId)
    expect(done.state).toBe('completed')
    expect(done.result).toMatchObject({ summary: { samples: 4, subjects: 2 }, labelled: 4 })
    expect(events.some((e) => e.channel === 'event:project.changed' && (e.payload as { reason: string }).reason === 'dataset-imported')).toBe(true)
    expect(studio.mediaRoots.list()).toContain(join(scratch.dir, 'data'))

    const kim = await call(r, 'command:annotator.create', { name: 'Kim' })
    const lee = await call(r, 'command:annotator.create', { name: 'Lee' })
    const samples = await call(r, 'query:samples.list', { viewerId: kim.id })
    expect(samples.map((s) => s.status)).toEqual(['uncoded', 'uncoded', 'uncoded', 'uncoded'])
    expect(samples[0]!.datasetLabel).not.toBeNull()
    const sampleId = samples[0]!.id
    const first = samples[0]!.firstFrame!

    await call(r, 'command:annotation.update', { sampleId, annotatorId: kim.id, patch: { onset: first + 2 } })
    await call(r, 'command:annotation.update', { sampleId, annotatorId: kim.id, patch: { apex: first + 10, offset: first + 20 } })
    await call(r, 'command:annotation.update', { sampleId, annotatorId: kim.id, patch: { aus: { alternatives: [[{ au: 12, side: 'R', intensity: null }]] } } })
    const coded = await call(r, 'command:annotation.update', { sampleId, annotatorId: kim.id, patch: { emotion: 'happiness' } })
    expect(coded.issues).toEqual([])
    expect(events.filter((e) => e.channel === 'event:annotation.changed')).toHaveLength(4)
    // each edit also sends the one changed row (as the editor sees it) and the dataset's counts
    const updates = events.filter((e) => e.channel === 'event:samples.updated').map((e) => e.payload as { viewerId: number; row: { id: number; status: string; mine: unknown }; counts: Record<string, number> })
    expect(updates).toHaveLength(4)
    expect(updates[3]).toMatchObject({ viewerId: kim.id, row: { id: sampleId, status: 'coded', mine: { emotion: 'happiness' } }, counts: { uncoded: 3, coded: 1, disputed: 0, adjudicated: 0 } })
    const page = await call(r, 'query:samples.window', { filter: { datasetId: samples[0]!.datasetId }, viewerId: kim.id, offset: 1, limit: 2, facets: true, sampleId })
    expect(page).toMatchObject({ total: 4, offset: 1, rows: samples.slice(1, 3).map((s) => ({ id: s.id })), current: { index: 0, row: { id: sampleId, status: 'coded' } } })
    expect(page.facets?.counts).toEqual(updates[3]!.counts)
    expect(await call(r, 'query:samples.neighbour', { fromSampleId: samples[3]!.id, viewerId: kim.id })).toMatchObject({ sampleId, at: { index: 0 } })
    const undone = await call(r, 'command:annotation.undo', { sampleId, annotatorId: kim.id })
    expect(undone.annotation?.emotion).toBeNull()
    const redone = await call(r, 'command:annotation.redo', { sampleId, annotatorId: kim.id })
    expect(redone.annotation?.emotion).toBe('happiness')

    // restart: close, open again — everything is still there, and undo still works
    await call(r, 'command:project.close', {})
    await expect(call(r, 'query:samples.list', {})).rejects.toMatchObject({ code: 'not-found' })
    await call(r, 'command:project.open', { path: projectPath })
    // opening the open project again is a no-op, not a fight with its own lock
    expect((await call(r, 'command:project.open', { path: projectPath })).path).toBe(projectPath)
    const reloaded = await call(r, 'query:annotation.get', { sampleId, viewerId: kim.id })
    expect(reloaded.mine).toMatchObject({ onset: first + 2, apex: first + 10, offset: first + 20, emotion: 'happiness' })
    expect(reloaded.status).toBe('coded')
    expect(reloaded.history).toMatchObject({ canUndo: true, undoAction: 'set emotion' })

    // a second coder disagrees on the emotion and marks the apex 2 frames later
    await call(r, 'command:annotation.update', {
      sampleId,
      annotatorId: lee.id,
      patch: { onset: first + 2, apex: first + 12, offset: first + 20, aus: { alternatives: [[{ au: 12, side: 'R', intensity: null }]] }, emotion: 'surprise' },
    })
    expect((await call(r, 'query:samples.list', { filter: { status: 'disputed' } })).map((s) => s.id)).toEqual([sampleId])
    const report = await call(r, 'query:agreement.report', {})
    const pair = report.pairs[0]!
    expect(pair.samples).toBe(1)
    expect(pair.facs.find((f) => f.laterality && f.intensity)!.pooled).toBe(1)
    expect(pair.marks.apex).toMatchObject({ meanAbsFrames: 2, meanAbsMs: 10 }) // 2 frames at 200 fps
    expect(pair.iou.mean).toBe(1)
    expect(pair.disagreements).toEqual([{ sampleId, subject: samples[0]!.subject, name: samples[0]!.name, fields: ['emotion'] }])

    // blind mode hides Lee from Kim
    await call(r, 'command:annotation.blind-mode', { on: true })
    expect((await call(r, 'query:annotation.get', { sampleId, viewerId: kim.id })).visible.map((a) => a.annotatorId)).toEqual([kim.id])

    const next = await call(r, 'query:samples.next-uncoded', { annotatorId: kim.id, fromSampleId: sampleId })
    expect(next.sampleId).toBe(samples[1]!.id)

    const exported = await call(r, 'command:codes.export', { format: 'csv', target: join(scratch.dir, 'codes.csv') })
    expect(exported.rows).toBe(6) // 4 dataset labels + Kim + Lee
    expect(existsSync(join(scratch.dir, 'codes.csv'))).toBe(true)
    // An export never replaces a file unless the request says so: the reproduction (a csv export
    // aimed at an existing dotfile) is refused, overwrite or not, and leaves it unchanged.
    const bashrc = join(scratch.dir, '.bashrc')
    writeFileSync(bashrc, 'export PATH="$HOME/bin:$PATH"\n')
    for (const request of [{ format: 'csv', target: bashrc }, { format: 'csv', target: bashrc, overwrite: true }]) {
      expect(await r.invoke('command:codes.export', request, { via: 'test' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
    expect(readFileSync(bashrc, 'utf8')).toBe('export PATH="$HOME/bin:$PATH"\n')
    const before = readFileSync(join(scratch.dir, 'codes.csv'))
    expect(await r.invoke('command:codes.export', { format: 'csv', target: join(scratch.dir, 'codes.csv') }, { via: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'export/target-exists', message: expect.stringContaining('already exists') },
    })
    expect(readFileSync(join(scratch.dir, 'codes.csv')).equals(before)).toBe(true)
    expect((await call(r, 'command:codes.export', { format: 'csv', target: join(scratch.dir, 'codes.csv'), overwrite: true })).rows).toBe(6)

    // removing the dataset removes its samples and every coding of them, in one transaction
    const datasetId = (await call(r, 'query:datasets.list', {}))[0]!.id
    expect(await call(r, 'command:dataset.remove', { datasetId })).toEqual({ removed: true })
    expect(await call(r, 'query:samples.list', {})).toEqual([])
    expect(studio.projects.require().project.allAnnotations()).toEqual([])
    expect(studio.projects.require().project.database.integrityCheck()).toBe('ok')

    // another studio (another window or process) cannot open the same project
    const other = createStudio({ host: 'bridge', userDataDir: scratch.dir, resourcesDir: 'resources', visionWorkers: 1 })
    const locked = await other.registry.invoke('command:project.open', { path: projectPath }, { via: 'test' })
    expect(locked).toMatchObject({ ok: false, error: { code: 'project/locked' } })
    await other.dispose()
  })
})
