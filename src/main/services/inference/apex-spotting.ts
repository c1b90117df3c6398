/**
 * Apex for samples that have none coded (SMIC): the vision module's spotting (frame-difference
 * signal over the whole frame) on the onset..offset clip in gray, as the coding view suggests it.
 * In the app it runs on the vision pool (`spot` task); tests run it inline.
 */
import { grayFromPixels, type GrayImage } from '../../vision/image'
import { spotApex, type SpotResult } from '../../vision/spotting'
import type { VisionPool } from '../../workers/vision-pool'
import type { InferenceSample } from './sample'

export type SpotRunner = (frames: GrayImage[], options: { onset: number; offset: number }, signal?: AbortSignal) => Promise<SpotResult>

export const inlineSpot: SpotRunner = async (frames, options) => spotApex(frames, options)

export function poolSpot(pool: VisionPool): SpotRunner {
  return (frames, options, signal) => pool.run('spot', { frames, options }, signal ? { signal } : {})
}

/** The apex spotter input building uses: null when the clip is too short or no peak stands out. */
export function apexSpotter(run: SpotRunner) {
  return async (sample: InferenceSample, signal?: AbortSignal): Promise<number | null> => {
    const frames: GrayImage[] = []
    for (let i = sample.onsetIndex; i <= sample.offsetIndex; i++) {
      signal?.throwIfAborted()
      const f = await sample.readFrame(i, signal)
      frames.push(grayFromPixels(f.data, f.width, f.height, f.channels))
    }
    if (frames.length < 3) return null
    const result = await run(frames, { onset: 0, offset: frames.length - 1 }, signal)
    // No peak above the noise: the caller falls back to the middle frame (and says so).
    return result.confidence > 0 ? sample.onsetIndex + result.apex : null
  }
}
