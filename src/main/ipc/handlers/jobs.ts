import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerJobHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registry
    .handle('command:job.cancel', ({ jobId }) => ({ cancelled: studio.jobs.cancel(jobId) }))
    .handle('query:job.list', () => studio.jobs.list())
    .handle('query:job.outcome', ({ jobId }) => studio.jobs.outcome(jobId))
}
