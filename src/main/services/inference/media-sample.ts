/**
 * An `InferenceSample` over a clip of the media service (video or image folder): frames decoded
 * frame-exactly as RGB, shared with the viewers' frame cache — or, for a batch sample (`own`),
 * kept by the sample itself with its input stages, so they go when the sample goes.
 */
import { stat } from 'node:fs/promises'
import { FrameCache, type MediaService } from '../media'
import type { InferenceSample } from './sample'

/** Frames a sample of its own keeps: two of the media service's read-ahead runs. */
const OWN_FRAME_RUNS = 2

export interface MediaSampleOptions {
  clipPath: string
  onsetIndex: number
  apexIndex: number | null
  offsetIndex: number
  /** The sample keeps its decoded frames and input stages itself (a batch sample), not in the shared caches. */
  own?: boolean
}

export async function mediaSample(media: MediaService, options: MediaSampleOptions): Promise<InferenceSample> {
  const info = await media.open(options.clipPath)
  const facts = await stat(options.clipPath)
  const frameBytes = info.width * info.height * 3
  const frames = options.own ? { cache: new FrameCache(OWN_FRAME_RUNS * media.readAhead * frameBytes) } : {}
  return {
    // Path, frame count and the clip's modification time: edited clips get a new cache identity.
    key: JSON.stringify([options.clipPath, info.frameCount, facts.mtimeMs]),
    frameCount: info.frameCount,
    onsetIndex: options.onsetIndex,
    apexIndex: options.apexIndex,
    offsetIndex: options.offsetIndex,
    frameNumber: (index) => info.frameNumbers[index] ?? index,
    readFrame: (index) => media.readFrame(options.clipPath, index, 'rgb', frames),
    ...(options.own ? { stages: new Map() } : {}),
  }
}
