import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../../studio'
import { MotionService } from '../../services/motion'

/** Motion views run as jobs (progress, cancel); the clip must lie inside an opened dataset root. */
export function registerMotionHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registry
    .handle('command:motion.flow', async (input) => {
      const request = { ...input, clipPath: await studio.mediaRoots.resolve(input.clipPath) }
      const flowId = MotionService.flowId(request)
      const { jobId } = studio.jobs.start('motion.flow', async (ctx) => {
        ctx.progress(0, 1)
        const { summary } = await studio.motion.flow(request, { signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total + 1) })
        ctx.progress(1, 1)
        return summary
      })
      return { jobId, flowId }
    })
    .handle('query:motion.flow', async ({ flowId }) => (await studio.motion.flowById(flowId)).summary)
    .handle('command:motion.magnify', async (input) => {
      const request = { ...input, clipPath: await studio.mediaRoots.resolve(input.clipPath) }
      const magnifyId = MotionService.magnifyId(request)
      const { jobId } = studio.jobs.start('motion.magnify', async (ctx) => {
        ctx.progress(0, 1)
        const { summary } = await studio.motion.magnify(request, { signal: ctx.signal })
        ctx.progress(1, 1)
        return summary
      })
      return { jobId, magnifyId }
    })
    .handle('query:motion.magnified', async ({ magnifyId }) => (await studio.motion.magnifiedById(magnifyId)).summary)
    .handle('command:motion.spot', async (input) => {
      const request = { ...input, clipPath: await studio.mediaRoots.resolve(input.clipPath) }
      const spotId = MotionService.spotId(request)
      const { jobId } = studio.jobs.start('motion.spot', async (ctx) => {
        ctx.progress(0, 1)
        const summary = await studio.motion.spot(request, { signal: ctx.signal })
        ctx.progress(1, 1)
        return summary
      })
      return { jobId, spotId }
    })
    .handle('query:motion.spot', ({ spotId }) => studio.motion.spotById(spotId))
    .handle('query:motion.face', async ({ clipPath, index, side }) => (await studio.motion.face(await studio.mediaRoots.resolve(clipPath), index, side)).summary)
}
