import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StudioError } from '@shared/ipc'
import { bundledFacesDir, FACE_ACCEPT, loadBundledFaces, loadPhoto, rejection, type BundledFacesManifest } from '../../../src/main/services/synth/faces'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import type { GroundTruth } from '../../../src/main/services/synth/truth'
import { loadFaceDetector, type FaceDetector } from '../../../src/main/vision/face/detector'
import { demoPhotoDir } from '../vision/real-faces'

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'me-faces-'))
  temporary.push(dir)
  return dir
}

let detector: FaceDetector
beforeAll(async () => {
  detector = await loadFaceDetector()
})

describe('synth --faces', () => {
  it('gives each subject its own detected face, skips unusable photos with a reason, and records identity → subject', async () => {
    const faces = await tempDir()
    // Two real group photos (3 faces each, one of sample1's turned away) read where npm installed them.
    for (const file of ['sample1.jpg', 'sample3.jpg']) await symlink(join(demoPhotoDir(), file), join(faces, file))
    // A photo without a face, one whose faces are far too small, and a file that is not an image.
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toFile(join(faces, 'sky.png'))
    await sharp(join(demoPhotoDir(), 'sample3.jpg')).resize(480).jpeg().toFile(join(faces, 'tiny.jpg'))
    await writeFile(join(faces, 'broken.jpg'), 'not an image')

    const out = await tempDir()
    const skipped: string[] = []
    const truth: GroundTruth = await generateSyntheticDataset({ outDir: out, facesDir: faces, subjects: 5, samplesPerSubject: 1, width: 128, height: 128, durationSeconds: [0.3, 0.3], onFaceSkipped: (m) => skipped.push(m) })

    expect(truth.subjects.map((s) => s.identity)).toEqual(['sample1.jpg#1', 'sample1.jpg#2', 'sample3.jpg#1', 'sample3.jpg#2', 'sample3.jpg#3'])
    expect(new Set(truth.subjects.map((s) => s.identity)).size).toBe(5)
    expect(truth.sourceFace).toMatch(/\/$/)
    expect(skipped.some((m) => m.startsWith('sky.png: skipped, no face found'))).toBe(true)
    expect(skipped.some((m) => m.startsWith('broken.jpg: skipped, not a readable image'))).toBe(true)
    expect(skipped.filter((m) => m.startsWith('tiny.jpg:') && m.includes('too small'))).toHaveLength(3)
    expect(skipped.some((m) => m.startsWith('sample1.jpg: face at') && m.includes('profile or turned away'))).toBe(true)
    expect(await readFile(join(out, 'PROVENANCE.md'), 'utf8')).toContain('different real person')

    // The AU regions sit at the detected landmarks of each subject's face: AU12 at its mouth corners.
    for (const s of truth.samples.filter((x) => x.action === 'AU12')) {
      expect(Math.hypot(s.regions[0]!.centre.x - s.landmarks.leftMouthCorner.x, s.regions[0]!.centre.y - s.landmarks.leftMouthCorner.y)).toBeLessThan(0.01)
    }
    // Each subject's landmarks are where the detector finds them on its rendered onset frame.
    for (const s of truth.samples) {
      const { data, info } = await sharp(join(out, s.path, `img${s.onset}.jpg`)).raw().toBuffer({ resolveWithObject: true })
      const found = await detector.detect({ width: info.width, height: info.height, data: Float32Array.from(data) })
      expect(found, s.subject).not.toBeNull()
      const eyes = [36, 37, 38, 39, 40, 41].map((i) => found!.landmarks[i]!)
      const eye = { x: eyes.reduce((a, p) => a + p.x, 0) / 6, y: eyes.reduce((a, p) => a + p.y, 0) / 6 }
      const interocular = Math.hypot(s.landmarks.rightEye.x - s.landmarks.leftEye.x, s.landmarks.rightEye.y - s.landmarks.leftEye.y)
      expect(Math.hypot(eye.x - s.landmarks.leftEye.x, eye.y - s.landmarks.leftEye.y) / interocular, s.subject).toBeLessThan(0.15)
    }
  }, 240_000)

  it('refuses more subjects than usable faces (no person in two subjects) and a folder without photos', async () => {
    const faces = await tempDir()
    await symlink(join(demoPhotoDir(), 'sample2.jpg'), join(faces, 'sample2.jpg'))
    const error = await generateSyntheticDataset({ outDir: await tempDir(), facesDir: faces, subjects: 6, samplesPerSubject: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StudioError)
    expect((error as StudioError).message).toMatch(/usable face\(s\) for 6 subjects: each subject needs a face of its own/)
    const empty = await tempDir()
    await expect(generateSyntheticDataset({ outDir: await tempDir(), facesDir: empty })).rejects.toThrow(/No face photos/)
    await expect(generateSyntheticDataset({ outDir: await tempDir(), facesDir: join(empty, 'missing') })).rejects.toThrow(/Faces folder not found/)
  }, 120_000)

  it('bundles landmarks that the detector finds on the bundled photo, and uses that face for every subject by default', async () => {
    const manifest = JSON.parse(await readFile(join(bundledFacesDir(), 'faces.json'), 'utf8')) as BundledFacesManifest
    for (const entry of manifest.faces) {
      const photo = await loadPhoto(join(bundledFacesDir(), entry.file))
      const found = await detector.detect({ ...photo, data: Float32Array.from(photo.data) }, { inputSize: FACE_ACCEPT.inputSize })
      expect(found).not.toBeNull()
      expect(rejection(found!, photo)).toBeNull()
      const worst = Math.max(...entry.landmarks.map(([x, y], i) => Math.hypot(found!.landmarks[i]!.x - x, found!.landmarks[i]!.y - y)))
      expect(worst).toBeLessThan(0.5)
    }
    const bundled = await loadBundledFaces()
    expect(bundled.map((f) => f.id)).toEqual(manifest.faces.map((f) => f.file))
    const out = await tempDir()
    const truth = await generateSyntheticDataset({ outDir: out, subjects: 2, samplesPerSubject: 1, width: 96, height: 96, durationSeconds: [0.3, 0.3] })
    expect(truth.subjects.map((s) => s.identity)).toEqual(['astronaut.png', 'astronaut.png'])
    expect(truth.sourceFace).toBe('astronaut.png')
  }, 120_000)
})
