import { SPOT_PARAMS, type SpotSignalName } from '@shared/ipc/channels/motion-params'
import { auRegions, type FaceRegion } from '../../vision/face/regions'
import type { GrayImage } from '../../vision/image'
import type { SpotOptions, SpotResult } from '../../vision/spotting'
import type { VisionPool } from '../../workers/vision-pool'
import { alignOn } from './face-alignment'

export type { SpotSignalName }

/**
 * The studio's spotting settings, shared by the motion curve, `me-studio spot`'s defaults and the
 * apex that inference uses when none is coded: Farnebäck flow had the lowest apex error on the
 * generator's clips (bench/spotting.bench.ts), measured on a 128-px aligned face crop.
 */
export const STUDIO_SPOTTING = {
  signal: 'farneback',
  side: SPOT_PARAMS.side.default,
  temporalSigma: SPOT_PARAMS.temporalSigma.default,
} as const satisfies Pick<SpotFramesOptions, 'signal' | 'side' | 'temporalSigma'>

export interface SpotFramesOptions {
  /** 0-based positions in `frames`. */
  onset?: number | undefined
  offset?: number | undefined
  signal: SpotSignalName
  /** Side of the face crop the signal is measured on. */
  side: number
  /** Detect and align the face (else the whole frame, without the nose reference). */
  face: boolean
  temporalSigma: number
  abort?: AbortSignal | undefined
}

export interface SpotFace {
  found: boolean
  score?: number
  crop?: number
  /** Regions the signal was measured in (crop pixels), for overlays. */
  regions?: FaceRegion[]
}

/**
 * The spotting pipeline shared by the workspace, `me-studio spot` and the spotting benchmark:
 * face detection on the reference frame, onset-frame alignment of the whole clip, AU regions with
 * the nose reference, then `spotApex` with the chosen signal — the heavy steps in the vision pool.
 */
export async function spotFrames(frames: GrayImage[], o: SpotFramesOptions, pool: VisionPool): Promise<{ result: SpotResult; face: SpotFace }> {
  const options: Omit<SpotOptions, 'flow' | 'strain'> = { onset: o.onset, offset: o.offset, temporalSigma: o.temporalSigma }
  let face: SpotFace = { found: false }
  if (o.face) {
    const alignment = await alignOn(frames[o.onset ?? 0]!, o.side, pool)
    if (alignment) {
      frames = await pool.run('align', { frames, transform: alignment.transform, side: alignment.side }, { signal: o.abort })
      const regions = auRegions(alignment.landmarks)
      options.regions = regions
      face = { found: true, score: alignment.face.score, crop: o.side, regions }
    }
  }
  const result = await pool.run('spot', { frames, options, signal: o.signal }, { signal: o.abort })
  return { result, face }
}
