import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerBatchHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { batch, batchResults: results } = studio
  registry
    .handle('command:batch.start', ({ models, selection, shard, provider, summaries }) => batch.start({ modelRefs: models, selection, shard, provider, summaries }))
    .handle('command:batch.resume', ({ jobId }) => batch.resume(jobId))
    .handle('command:batch.pause', ({ jobId }) => ({ paused: batch.pause(jobId) }))
    .handle('command:batch.cancel', ({ jobId }) => ({ cancelled: batch.cancel(jobId) }))
    .handle('query:batch.jobs', () => results.jobs())
    .handle('query:batch.errors', (input) => results.errors(input))
    .handle('command:batch.export', (input) => results.exportPredictions(input))
    .handle('command:batch.export-training-set', (input) => results.exportTrainingSet(input))
    .handle('query:batch.evaluation', (input) => results.evaluation(input))
    .handle('command:batch.export-evaluation', (input) => results.exportEvaluation(input))
}
