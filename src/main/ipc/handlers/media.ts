import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { indexOfFrameNumber } from '../../services/media'

/** Clip metadata for paths inside opened roots; pixels are served by the frame media routes. */
export function registerMediaHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registry
    .handle('query:media.clip', async ({ path, fps }) => {
      const clipPath = await studio.mediaRoots.resolve(path)
      const clip = await studio.frames.open(clipPath, fps ? { fps } : {})
      return { clip, warnings: await studio.frames.warnings(clipPath) }
    })
    .handle('query:media.frame-index', async ({ path, frameNumber }) => {
      const clip = await studio.frames.open(await studio.mediaRoots.resolve(path))
      return { index: indexOfFrameNumber(clip, frameNumber) }
    })
    .handle('query:media.cache', () => studio.frames.cacheStats())
}
