import { alignmentTransform, transformLandmarks, type SimilarityTransform } from '../../vision/face/align'
import type { DetectedFace, FaceDetectOptions } from '../../vision/face/detector'
import type { Point } from '../../vision/face/landmarks'
import type { RgbImage } from '../../vision/color'
import type { GrayImage } from '../../vision/image'
import type { VisionPool } from '../../workers/vision-pool'

export interface FaceAlignment {
  face: DetectedFace
  /** Source pixels → crop pixels; the same transform is applied to every frame of the clip. */
  transform: SimilarityTransform
  side: number
  /** Landmarks in crop pixels. */
  landmarks: Point[]
}

/** The most confident face on `image`, found in a vision worker (task `faces`), or null when none passes the threshold. */
export async function detectFace(pool: VisionPool, image: GrayImage | RgbImage, options?: FaceDetectOptions): Promise<DetectedFace | null> {
  const faces = await pool.run('faces', { image, ...(options ? { options } : {}) })
  return faces[0] ?? null
}

/** Detects the face on `reference` (the onset frame) and returns its alignment, or null when no face is found. */
export async function alignOn(reference: GrayImage | RgbImage, side: number, pool: VisionPool): Promise<FaceAlignment | null> {
  const face = await detectFace(pool, reference)
  if (!face) return null
  const transform = alignmentTransform(face.landmarks, { size: side })
  return { face, transform, side, landmarks: transformLandmarks(face.landmarks, transform) }
}
