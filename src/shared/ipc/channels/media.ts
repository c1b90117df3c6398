import { z } from 'zod'
import { ClipInfoSchema } from '../../domain/dataset'
import { request } from '../define'

export const FrameModeSchema = z.enum(['gray', 'rgb'])

/**
 * Clip metadata. Pixels never travel as JSON: frames come from the media routes
 * `frame/<encodeURIComponent(clip)>/<index>.png|raw?mode=gray|rgb`,
 * `thumb/<clip>/<index>.png?size=` and `filmstrip/<clip>.png?count=&height=`, where `<index>` is
 * the 0-based position in the clip (`ClipInfo.frameNumbers[index]` is the dataset's number).
 */
export const mediaRequests = {
  'query:media.clip': request(
    z.object({ path: z.string().min(1), fps: z.number().positive().max(10_000).optional() }),
    z.object({ clip: ClipInfoSchema, warnings: z.array(z.string()) }),
  ),
  'query:media.frame-index': request(
    z.object({ path: z.string().min(1), frameNumber: z.number().int().nonnegative() }),
    z.object({ index: z.number().int().nonnegative() }),
  ),
  'query:media.cache': request(
    z.object({}),
    z.object({
      bytes: z.number().int().nonnegative(),
      maxBytes: z.number().int().nonnegative(),
      entries: z.number().int().nonnegative(),
      hits: z.number().int().nonnegative(),
      misses: z.number().int().nonnegative(),
    }),
  ),
} as const
