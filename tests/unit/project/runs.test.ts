import { afterEach, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/services/project/project'
import { addModel, createJob, interruptedJobs, listPredictions, markJobItem, pendingJobItems, recordPrediction, setJobState } from '../../../src/main/services/project/runs'
import { projectWithSamples, scratchDir } from './project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

describe('models, predictions and resumable jobs', () => {
  it('records predictions with provider, sha256, recipe, timings or error', async () => {
    const s = scratchDir()
    cleanup = s.cleanup
    const { project, sampleIds } = await projectWithSamples(s.dir)
    const model = { cardId: 'off-tanet', name: 'Off-TANet', path: '/m/off.onnx', sha256: 'ab'.repeat(32), card: { classes: ['negative', 'positive', 'surprise'] } }
    const modelId = addModel(project, model)
    expect(addModel(project, model)).toBe(modelId)
    recordPrediction(project, {
      sampleId: sampleIds[0]!,
      modelId,
      executionProvider: 'cpu',
      modelSha256: model.sha256,
      recipeId: 'tvl1-112',
      predictedClass: 'positive',
      scores: { negative: 0.1, positive: 0.8, surprise: 0.1 },
      timings: { preprocessMs: 12.5, inferenceMs: 0.4, totalMs: 13 },
    })
    recordPrediction(project, { sampleId: sampleIds[1]!, modelId, executionProvider: 'cpu', modelSha256: model.sha256, recipeId: 'tvl1-112', error: { code: 'media/corrupt', message: 'frame 3 unreadable' } })
    const rows = listPredictions(project, { modelId })
    expect(rows.map((r) => [r.predictedClass, r.error?.code ?? null, r.inferenceMs])).toEqual([
      ['positive', null, 0.4],
      [null, 'media/corrupt', null],
    ])
    project.close()
  })

  it('resumes an interrupted job from its pending items after a reopen', async () => {
    const s = scratchDir()
    cleanup = s.cleanup
    const { project } = await projectWithSamples(s.dir)
    createJob(project, { id: 'job-1', kind: 'batch.predict', params: { model: 'off-tanet' }, items: ['s1', 's2', 's3'] })
    markJobItem(project, 'job-1', 's1', {})
    markJobItem(project, 'job-1', 's2', { error: { code: 'internal', message: 'boom' } })
    const path = project.path
    project.close() // as if the app quit mid-batch

    const reopened = await Project.open(path)
    expect(interruptedJobs(reopened).map((j) => [j.id, j.done, j.total, j.params])).toEqual([['job-1', 2, 3, { model: 'off-tanet' }]])
    expect(pendingJobItems(reopened, 'job-1')).toEqual(['s3'])
    markJobItem(reopened, 'job-1', 's3', {})
    setJobState(reopened, 'job-1', 'completed')
    expect(interruptedJobs(reopened)).toEqual([])
    reopened.close()
  })
})
