/**
 * Apex for samples that have none coded (SMIC): the vision module's spotting (frame-difference
 * signal over the whole frame) on the onset..offset clip in gray, as the coding view suggests it.
 */
import { grayFromPixels } from '../../vision/image'
import { spotApex } from '../../vision/spotting'
import type { InferenceSample } from './sample'

export async function spotSampleApex(sample: InferenceSample, signal?: AbortSignal): Promise<number | null> {
  const frames = []
  for (let i = sample.onsetIndex; i <= sample.offsetIndex; i++) {
    signal?.throwIfAborted()
    const f = await sample.readFrame(i, signal)
    frames.push(grayFromPixels(f.data, f.width, f.height, f.channels))
  }
  if (frames.length < 3) return null
  const result = spotApex(frames, { onset: 0, offset: frames.length - 1 })
  // No peak above the noise: let the caller fall back to the middle frame (and say so).
  return result.confidence > 0 ? sample.onsetIndex + result.apex : null
}
