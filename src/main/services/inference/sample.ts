/**
 * What input building needs from a sample: a stable identity for caching, the clip's frame
 * count, the annotated onset/apex/offset (0-based clip positions) and random access to decoded
 * 8-bit frames. The datasets/project services provide samples; `image-sequence.ts` reads a folder
 * of numbered images.
 */
import type { PixelFrame } from '../../vision/recipe/opencv-exact'
import type { StageScope } from './stage-cache'

export interface InferenceSample {
  /** Unique and stable across sessions for the same pixels (path + file facts): the cache key. */
  key: string
  frameCount: number
  onsetIndex: number
  /** Null when the dataset has no apex (SMIC) or it is not coded. */
  apexIndex: number | null
  offsetIndex: number
  /** The dataset's frame number at an index, for messages (the index itself when absent). */
  frameNumber?: (index: number) => number
  readFrame(index: number, signal?: AbortSignal): Promise<PixelFrame>
  /**
   * Where the input builder keeps this sample's stages (prepared frames, flows, tensors) for the
   * other models that use them: a batch gives each sample its own, dropped once all its models
   * have run. Absent: the builder's shared, byte-bounded cache (the inspection views).
   */
  stages?: StageScope
}

/** How the apex used for an onset–apex model was chosen. */
export type ApexSource = 'annotated' | 'spotted' | 'middle-frame'
