import { beforeAll, describe, expect, it } from 'vitest'
import type { FaceIdentity } from '../../../src/main/services/synth/face'
import { loadFaceDetector, type FaceDetector } from '../../../src/main/vision/face/detector'
import { detectDemoFaces, measureStability, median, type DetectionFigures } from './real-faces'

// The figures these bounds guard are in docs/faces.md (from `npm run bench -- faces`).
let detector: FaceDetector
let figures: DetectionFigures
let identities: FaceIdentity[]
beforeAll(async () => {
  detector = await loadFaceDetector()
  ;({ figures, identities } = await detectDemoFaces(detector))
}, 240_000)

describe('face pipeline on real group photos (face-api demo, 22 people)', () => {
  it('finds every face, with no box straddling two faces left, and keeps the frontal ones as identities', () => {
    expect(figures.faces).toBe(22)
    expect(figures.found).toBe(22)
    expect(figures.extraDistinct).toBe(0)
    // Three faces are turned too far (yaw) for frontal AU placement; each is reported.
    expect(figures.usable).toBeGreaterThanOrEqual(17)
    expect(figures.skipped.every((m) => m.includes('profile or turned away'))).toBe(true)
  })

  it("keeps landmarks and the onset alignment stable under the generator's warps", async () => {
    // One warped subject per identity keeps the test short; the bench runs three.
    const { perSubject, missed } = await measureStability(detector, identities, 1)
    expect(missed).toEqual([])
    expect(median(perSubject.map((r) => r.meanIod))).toBeLessThan(0.08)
    expect(median(perSubject.map((r) => r.alignmentPx))).toBeLessThan(3)
    // Every subject's face is the one found: no alignment lands on a neighbour or the hair.
    expect(Math.max(...perSubject.map((r) => r.meanIod))).toBeLessThan(0.35)
  }, 240_000)
})
