import { alignmentTransform, transformLandmarks, type SimilarityTransform } from '../../vision/face/align'
import { loadFaceDetector, type DetectedFace } from '../../vision/face/detector'
import type { Point } from '../../vision/face/landmarks'
import type { RgbImage } from '../../vision/color'
import type { GrayImage } from '../../vision/image'

export interface FaceAlignment {
  face: DetectedFace
  /** Source pixels → crop pixels; the same transform is applied to every frame of the clip. */
  transform: SimilarityTransform
  side: number
  /** Landmarks in crop pixels. */
  landmarks: Point[]
}

/** Detects the face on `reference` (the onset frame) and returns its alignment, or null when no face is found. */
export async function alignOn(reference: GrayImage | RgbImage, side: number): Promise<FaceAlignment | null> {
  const detector = await loadFaceDetector()
  const face = await detector.detect(reference)
  if (!face) return null
  const transform = alignmentTransform(face.landmarks, { size: side })
  return { face, transform, side, landmarks: transformLandmarks(face.landmarks, transform) }
}
