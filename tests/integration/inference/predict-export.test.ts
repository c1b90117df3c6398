import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { indexOfFrameNumber } from '@shared/domain/frames'
import { PredictionResultSchema } from '@shared/ipc'
import { call } from '../../../src/main/ipc/registry'
import { predictionColumns } from '../../../src/main/services/export/predictions'
import { createStudio, type Studio } from '../../../src/main/studio'

// Inspect's export (#22): the prediction on screen as the batch CSV's columns (frame numbers of
// the dataset, frames_source), as JSON, and as a one-time download.
describe('exporting an Inspect prediction', () => {
  let studio: Studio
  let dir: string

  afterAll(async () => {
    await studio?.dispose()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('writes the prediction with the batch columns and the frame numbers it used', async () => {
    dir = await mkdtemp(join(tmpdir(), 'me-predict-export-'))
    studio = createStudio({ host: 'bridge', userDataDir: dir, resourcesDir: join(process.cwd(), 'resources'), visionWorkers: 1 })
    const created = await studio.jobs.wait((await call(studio.registry, 'command:project.create-demo', {})).jobId)
    expect(created.state, JSON.stringify(created.error)).toBe('completed')
    const [summary] = await call(studio.registry, 'query:samples.list', { filter: {} })
    const sample = await call(studio.registry, 'query:sample.get', { sampleId: summary!.id })
    const label = summary!.datasetLabel!
    const index = (n: number | null) => (n === null ? null : indexOfFrameNumber(sample.clip.frameNumbers, n)!)
    // Predicting one sample is a job whose result is the prediction.
    const predicted = await studio.jobs.wait((await call(studio.registry, 'command:predict.sample', {
      sample: { clipPath: sample.clip.path, onsetIndex: index(label.onset)!, apexIndex: index(label.apex), offsetIndex: index(label.offset)! },
      modelId: 'off_tanet-demo',
      sampleId: summary!.id,
    })).jobId)
    expect(predicted.state, JSON.stringify(predicted.error)).toBe('completed')
    const prediction = PredictionResultSchema.parse(predicted.result)
    expect(prediction.recordedId).not.toBeNull()

    const csvPath = join(dir, 'one.csv')
    const reference = { prefer: 'dataset' as const, annotatorId: null }
    expect(await call(studio.registry, 'command:predict.export', { predictionId: prediction.recordedId!, format: 'csv', reference, path: csvPath })).toEqual({ path: csvPath, downloads: [] })
    const [header, row, rest] = readFileSync(csvPath, 'utf8').split('\r\n')
    expect(header).toBe(predictionColumns(prediction.classes).join(','))
    expect(rest).toBe('')
    const cells = Object.fromEntries(header!.split(',').map((c, i) => [c, row!.split(',')[i]]))
    expect(cells).toMatchObject({ subject: summary!.subject, sample: summary!.name, onset: String(label.onset), apex: String(label.apex), frames_source: 'coded', frames_coding: 'dataset labels', model_id: 'off_tanet-demo', predicted_label: prediction.predictedClass })
    expect(Number(cells[`p_${prediction.predictedClass}`])).toBeCloseTo(Math.max(...prediction.probabilities), 5)

    // Without a path: written for the download only, offered once.
    const json = await call(studio.registry, 'command:predict.export', { predictionId: prediction.recordedId!, format: 'json', download: true })
    expect(json.downloads).toEqual([{ url: expect.stringMatching(/^\/download\//), name: `${summary!.name}-off_tanet-demo.json` }])
    const offered = studio.downloads.take(json.downloads[0]!.url.slice('/download/'.length))!
    const parsed = JSON.parse(readFileSync(offered.path, 'utf8')) as { columns: string[]; rows: Record<string, unknown>[] }
    expect(parsed.columns).toEqual(header!.split(','))
    expect(parsed.rows).toEqual([expect.objectContaining({ onset: label.onset, frames_source: 'coded' })])

    // An existing file is kept unless asked; an unknown prediction is not found.
    await expect(call(studio.registry, 'command:predict.export', { predictionId: prediction.recordedId!, format: 'csv', path: csvPath })).rejects.toMatchObject({ code: 'export/target-exists' })
    await expect(call(studio.registry, 'command:predict.export', { predictionId: 999_999, format: 'csv', download: true })).rejects.toMatchObject({ code: 'not-found' })
  }, 180_000)
})
