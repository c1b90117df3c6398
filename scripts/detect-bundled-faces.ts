// Writes resources/faces/faces.json: the 68 landmarks the face detector finds on each bundled photo,
// so the generator places its AU motion at detected points without loading the detector.
// Run after adding or changing a photo in resources/faces/: npx tsx scripts/detect-bundled-faces.ts
import { readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FACE_ACCEPT, FACE_PHOTO_EXTENSIONS, loadPhoto, rejection, type BundledFacesManifest } from '../src/main/services/synth/faces'
import { loadFaceDetector } from '../src/main/vision/face/detector'

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../resources/faces')
const detector = await loadFaceDetector()
const manifest: BundledFacesManifest = { detector: 'face-api TinyFaceDetector (416) + FaceLandmark68Net, tfjs wasm', faces: [] }
for (const file of readdirSync(dir).filter((n) => FACE_PHOTO_EXTENSIONS.some((e) => n.toLowerCase().endsWith(e))).sort()) {
  const photo = await loadPhoto(join(dir, file))
  const faces = await detector.detectAll({ ...photo, data: Float32Array.from(photo.data) }, { inputSize: FACE_ACCEPT.inputSize, scoreThreshold: FACE_ACCEPT.minScore })
  const usable = faces.filter((f) => rejection(f, photo) === null)
  // A bundled photo is used whole, so it must show exactly one usable face.
  if (usable.length !== 1) throw new Error(`${file}: a bundled photo must show exactly one usable face, found ${usable.length}`)
  const face = usable[0]!
  manifest.faces.push({ file, score: Math.round(face.score * 1000) / 1000, landmarks: face.landmarks.map((p) => [Math.round(p.x * 100) / 100, Math.round(p.y * 100) / 100]) })
}
writeFileSync(join(dir, 'faces.json'), `${JSON.stringify(manifest)}\n`)
console.log(`wrote ${join(dir, 'faces.json')}: ${manifest.faces.map((f) => f.file).join(', ')}`)
