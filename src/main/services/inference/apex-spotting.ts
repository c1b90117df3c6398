/**
 * Apex for samples that have none coded (SMIC): the same spotting pipeline the motion curve of the
 * coding view shows (onset-frame face alignment, AU regions with the nose reference, Farnebäck
 * signal; the whole frame when no face is found), on the onset..offset clip, in the vision pool.
 */
import { STUDIO_SPOTTING, spotFrames } from '../motion/spotting'
import { grayFromPixels, type GrayImage } from '../../vision/image'
import type { VisionPool } from '../../workers/vision-pool'
import type { InferenceSample } from './sample'

/** The apex spotter input building uses: null when the clip is too short or no peak stands out. */
export function apexSpotter(pool: VisionPool) {
  return async (sample: InferenceSample, signal?: AbortSignal): Promise<number | null> => {
    const frames: GrayImage[] = []
    for (let i = sample.onsetIndex; i <= sample.offsetIndex; i++) {
      signal?.throwIfAborted()
      const f = await sample.readFrame(i, signal)
      frames.push(grayFromPixels(f.data, f.width, f.height, f.channels))
    }
    if (frames.length < 3) return null
    const { result } = await spotFrames(frames, { ...STUDIO_SPOTTING, onset: 0, offset: frames.length - 1, face: true, abort: signal }, pool)
    // No peak above the noise: the caller falls back to the middle frame (and says so).
    return result.confidence > 0 ? sample.onsetIndex + result.apex : null
  }
}
