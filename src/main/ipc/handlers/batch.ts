import { resolve } from 'node:path'
import { formatSelection } from '@shared/domain/batch'
import { InferenceInputSource } from '../../services/batch/inference-source'
import { BatchStore } from '../../services/batch/store'
import { exportTrainingSet } from '../../services/export/training-set'
import { evaluate } from '../../services/evaluation/evaluate'
import { exportEvaluation } from '../../services/evaluation/export'
import { inputsFromJob } from '../../services/evaluation/sources'
import { exportPredictions } from '../../services/export/predictions'
import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerBatchHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const store = () => new BatchStore(studio.projects.require().project)
  const report = (jobId: string) => evaluate(inputsFromJob(store(), jobId))
  registry
    .handle('command:batch.start', ({ models, selection, shard, provider, summaries }) =>
      studio.batch.start({ modelRefs: models, selection, shard, provider, summaries }),
    )
    .handle('command:batch.resume', ({ jobId }) => studio.batch.resume(jobId))
    .handle('command:batch.pause', ({ jobId }) => ({ paused: studio.batch.pause(jobId) }))
    .handle('command:batch.cancel', ({ jobId }) => ({ cancelled: studio.batch.cancel(jobId) }))
    .handle('query:batch.jobs', () =>
      studio.batch.jobs().map((job) => ({
        jobId: job.jobId,
        state: job.state,
        total: job.total,
        done: job.done,
        failed: job.failed,
        models: job.params.modelRefs,
        scope: `${formatSelection(job.params.selection)}${job.params.shard ? `, shard ${job.params.shard.index}/${job.params.shard.count}` : ''}`,
        createdAt: job.createdAt,
        active: studio.batch.isActive(job.jobId),
      })),
    )
    .handle('query:batch.errors', ({ jobId }) => store().itemErrors(jobId))
    .handle('command:batch.export', async ({ jobId, format, path, summaries, overwrite, download }) => {
      const target = await studio.downloads.target(path, download, `predictions-${jobId.slice(0, 8)}.${format}`)
      const { rows } = await exportPredictions(store(), jobId, format, target, { summaries, overwrite })
      return { path: target, rows, downloads: studio.downloads.offerAll([target], download) }
    })
    .handle('command:batch.export-training-set', ({ models, selection, labels, outDir, overwrite }) => {
      const source = new InferenceInputSource(studio.inference, studio.frames)
      const batchStore = store()
      return studio.jobs.start('export.training-set', (ctx) =>
        exportTrainingSet(batchStore, source, { outDir: resolve(outDir), overwrite, modelRefs: models, selection, labels, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) }),
      )
    })
    .handle('query:batch.evaluation', ({ jobId }) => report(jobId))
    .handle('command:batch.export-evaluation', async ({ jobId, format, path, overwrite, download }) => {
      const target = await studio.downloads.target(path, download, `evaluation-${jobId.slice(0, 8)}.${format}`)
      const title = `Evaluation of batch ${jobId.slice(0, 8)} — ${studio.projects.require().project.name}`
      const files = await exportEvaluation(report(jobId), format, target, title, { overwrite })
      return { path: target, files, downloads: studio.downloads.offerAll(files, download) }
    })
}
