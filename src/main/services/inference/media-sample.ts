/**
 * An `InferenceSample` over a clip of the media service (video or image folder): frames decoded
 * frame-exactly as RGB and shared with the viewers' frame cache.
 */
import { stat } from 'node:fs/promises'
import type { MediaService } from '../media'
import type { InferenceSample } from './sample'

export interface MediaSampleOptions {
  clipPath: string
  onsetIndex: number
  apexIndex: number | null
  offsetIndex: number
}

export async function mediaSample(media: MediaService, options: MediaSampleOptions): Promise<InferenceSample> {
  const info = await media.open(options.clipPath)
  const facts = await stat(options.clipPath)
  return {
    // Path, frame count and the clip's modification time: edited clips get a new cache identity.
    key: JSON.stringify([options.clipPath, info.frameCount, facts.mtimeMs]),
    frameCount: info.frameCount,
    onsetIndex: options.onsetIndex,
    apexIndex: options.apexIndex,
    offsetIndex: options.offsetIndex,
    frameNumber: (index) => info.frameNumbers[index] ?? index,
    readFrame: (index) => media.readFrame(options.clipPath, index, 'rgb'),
  }
}
