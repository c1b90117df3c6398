/**
 * The face pipeline measured on real photos of many people: the group photos shipped in
 * `@vladmandic/face-api`'s `demo/` folder (read where npm installed them, never copied into the
 * repository). Shared by `real-faces.test.ts` and `bench/faces.bench.ts`.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createRandom } from '../../../src/main/services/synth/random'
import { drawSubjectAppearance, photoToOutput, renderNeutralFace, type FaceIdentity } from '../../../src/main/services/synth/face'
import { distinctFaces, FACE_ACCEPT, loadPhoto, photoIdentities } from '../../../src/main/services/synth/faces'
import { alignmentTransform, applySimilarity } from '../../../src/main/vision/face/align'
import type { FaceDetector } from '../../../src/main/vision/face/detector'
import { interocularDistance, type Point } from '../../../src/main/vision/face/landmarks'

/** The demo photos and the faces in each, counted by eye (turned, tilted and partly hidden ones included). */
export const DEMO_PHOTOS = [
  { file: 'sample1.jpg', faces: 3 },
  { file: 'sample2.jpg', faces: 3 },
  { file: 'sample3.jpg', faces: 3 },
  { file: 'sample4.jpg', faces: 4 },
  { file: 'sample5.jpg', faces: 5 },
  { file: 'sample6.jpg', faces: 4 },
] as const

export function demoPhotoDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo')
}

export interface DetectionFigures {
  faces: number
  found: number
  /** Detections beyond the faces counted by eye in a photo (false positives at least). */
  extra: number
  /** The same after the generator drops boxes straddling two faces (`distinctFaces`). */
  extraDistinct: number
  /** Faces the generator accepts as identities (size, pose, score; see FACE_ACCEPT). */
  usable: number
  skipped: string[]
}

export interface StabilityFigures {
  /** One entry per rendered subject: mean landmark error in px and as a fraction of the inter-ocular distance. */
  perSubject: { id: string; meanPx: number; meanIod: number; maxPx: number; alignmentPx: number }[]
  /** Subjects on whose render the detector found no face. */
  missed: string[]
}

/** Detects every demo photo's faces and returns the counts and the usable identities. */
export async function detectDemoFaces(detector: FaceDetector): Promise<{ figures: DetectionFigures; identities: FaceIdentity[] }> {
  const figures: DetectionFigures = { faces: 0, found: 0, extra: 0, extraDistinct: 0, usable: 0, skipped: [] }
  const identities: FaceIdentity[] = []
  for (const { file, faces } of DEMO_PHOTOS) {
    const photo = await loadPhoto(join(demoPhotoDir(), file))
    const detected = await detector.detectAll({ ...photo, data: Float32Array.from(photo.data) }, { inputSize: FACE_ACCEPT.inputSize })
    figures.faces += faces
    figures.found += Math.min(detected.length, faces)
    figures.extra += Math.max(0, detected.length - faces)
    figures.extraDistinct += Math.max(0, distinctFaces(detected).length - faces)
    const usable = await photoIdentities(file, photo, detector, (m) => figures.skipped.push(m))
    figures.usable += usable.length
    identities.push(...usable)
  }
  return { figures, identities }
}

/**
 * Landmark stability under the generator's own warps: each identity is rendered as `subjectsPerFace`
 * subjects (shape warp, zoom, roll, colour), the detector runs on the render, and its 68 points are
 * compared with the photo's detected points carried through the same warp. The onset alignment
 * error is how far the 112-px Off-TANet crop fitted on the render's landmarks puts the true points
 * from where the crop fitted on the warped points puts them.
 */
export async function measureStability(detector: FaceDetector, identities: readonly FaceIdentity[], subjectsPerFace: number, size = 256): Promise<StabilityFigures> {
  const figures: StabilityFigures = { perSubject: [], missed: [] }
  const master = createRandom(7)
  for (const face of identities) {
    for (let k = 0; k < subjectsPerFace; k++) {
      const appearance = drawSubjectAppearance(master.fork(), face.geometry, size, size)
      const render = renderNeutralFace(face.photo, appearance, size, size)
      const truth: Point[] = face.geometry.points68.map((p) => photoToOutput(appearance, p))
      const found = await detector.detect({ width: size, height: size, data: render })
      const id = `${face.id} / subject ${k + 1}`
      if (!found) {
        figures.missed.push(id)
        continue
      }
      const errors = truth.map((p, i) => Math.hypot(found.landmarks[i]!.x - p.x, found.landmarks[i]!.y - p.y))
      const meanPx = errors.reduce((s, e) => s + e, 0) / errors.length
      const onFound = alignmentTransform(found.landmarks)
      const onTruth = alignmentTransform(truth)
      const alignmentPx =
        truth.reduce((s, p) => {
          const a = applySimilarity(onFound, p)
          const b = applySimilarity(onTruth, p)
          return s + Math.hypot(a.x - b.x, a.y - b.y)
        }, 0) / truth.length
      figures.perSubject.push({ id, meanPx, meanIod: meanPx / interocularDistance(truth), maxPx: Math.max(...errors), alignmentPx })
    }
  }
  return figures
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
