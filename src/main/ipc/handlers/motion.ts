import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import type { JobResultOf } from '@shared/ipc'
import type { JobContext } from '../../services/jobs'
import { MotionService } from '../../services/motion'

/** Motion views run as jobs (progress, cancel); the clip must lie inside an opened dataset root. */
export function registerMotionHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  /** Starts one motion computation as a job; its result is later read by the returned id. */
  function startJob<K extends 'motion.flow' | 'motion.magnify' | 'motion.spot'>(kind: K, compute: (ctx: JobContext) => Promise<JobResultOf<K>>): string {
    return studio.jobs.start(kind, async (ctx) => {
      ctx.progress(0, 1)
      const result = await compute(ctx)
      ctx.progress(1, 1)
      return result
    }).jobId
  }
  const inOpenedRoot = async <R extends { clipPath: string }>(input: R): Promise<R> => ({ ...input, clipPath: await studio.mediaRoots.resolve(input.clipPath) })

  registry
    .handle('command:motion.flow', async (input) => {
      const request = await inOpenedRoot(input)
      const jobId = startJob('motion.flow', async (ctx) => {
        const { summary } = await studio.motion.flow(request, { signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total + 1) })
        return summary
      })
      return { jobId, flowId: MotionService.flowId(request) }
    })
    .handle('query:motion.flow', async ({ flowId }) => (await studio.motion.flowById(flowId)).summary)
    .handle('command:motion.magnify', async (input) => {
      const request = await inOpenedRoot(input)
      const jobId = startJob('motion.magnify', async (ctx) => (await studio.motion.magnify(request, { signal: ctx.signal })).summary)
      return { jobId, magnifyId: MotionService.magnifyId(request) }
    })
    .handle('query:motion.magnified', async ({ magnifyId }) => (await studio.motion.magnifiedById(magnifyId)).summary)
    .handle('command:motion.spot', async (input) => {
      const request = await inOpenedRoot(input)
      const jobId = startJob('motion.spot', (ctx) => studio.motion.spot(request, { signal: ctx.signal }))
      return { jobId, spotId: MotionService.spotId(request) }
    })
    .handle('query:motion.spot', ({ spotId }) => studio.motion.spotById(spotId))
    .handle('query:motion.face', async ({ clipPath, index, side }) => (await studio.motion.face(await studio.mediaRoots.resolve(clipPath), index, side)).summary)
}
