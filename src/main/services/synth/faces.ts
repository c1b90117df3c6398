/**
 * The real faces the generator draws subjects from: the bundled photo(s) with the landmarks the
 * detector found on them (`resources/faces/faces.json`), or the photos of a folder, detected now.
 * A group photo gives one identity per usable face, cropped around it.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { basename, dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from '../media/sharp'
import { StudioError } from '@shared/ipc/errors'
import { loadFaceDetector, type DetectedFace, type FaceDetector } from '../../vision/face/detector'
import { interocularDistance, type Landmarks68 } from '../../vision/face/landmarks'
import { faceGeometry, type FaceIdentity, type SourceImage } from './face'

/** Photo types read from a faces folder. */
export const FACE_PHOTO_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const

/**
 * What makes a detected face usable as an identity. The generator renders the face at ~55 px between
 * the eyes (256-px frames); below 32 px the photo would be enlarged nearly 2× and look blurred.
 */
export const FACE_ACCEPT = {
  /** Detector input side: 416 finds faces down to ~40 px wide in a 1920-px group photo. */
  inputSize: 416,
  /** Lower scores are mostly background patches or faces half hidden. */
  minScore: 0.4,
  minInterocular: 32,
  /**
   * Nose tip (point 30) to the two jaw ends (0, 16): the shorter over the longer distance. 1 when
   * frontal; a profile face puts the nose near one jaw end. Below this the face is too turned for
   * frontal AU placement.
   */
  minYawRatio: 0.5,
  /** The crop kept around each face, in inter-ocular distances from the eye midpoint. */
  cropRadius: 3.2,
} as const

/** The bundled photos and their detected landmarks (written by `scripts/detect-bundled-faces.ts`). */
export interface BundledFacesManifest {
  detector: string
  faces: { file: string; score: number; landmarks: [number, number][] }[]
}

/** One skipped photo or face, said to the user. */
export type FaceSkipReporter = (message: string) => void

/** `resources/faces` above this module (source tree or built `out/`). */
export function bundledFacesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'faces')
    if (existsSync(join(candidate, 'faces.json'))) return candidate
    dir = resolve(dir, '..')
  }
  throw new StudioError('not-found', 'resources/faces/faces.json not found; pass a faces folder')
}

/** The bundled identities, with the landmarks recorded in `faces.json` (no detector at run time). */
export async function loadBundledFaces(dir = bundledFacesDir()): Promise<FaceIdentity[]> {
  const manifest = JSON.parse(await readFile(join(dir, 'faces.json'), 'utf8')) as BundledFacesManifest
  return Promise.all(
    manifest.faces.map(async (face) => ({
      id: face.file,
      photo: await loadPhoto(join(dir, face.file)),
      geometry: faceGeometry(face.landmarks.map(([x, y]) => ({ x, y }))),
    })),
  )
}

/**
 * Every usable face of every photo in `dir`, in file-name order and left to right within a photo.
 * Photos with no usable face, and faces that are too small, too turned or too uncertain, are
 * reported through `onSkip` with the reason; a folder with none at all is an error.
 */
export async function loadFaceFolder(dir: string, onSkip: FaceSkipReporter, detector?: FaceDetector): Promise<FaceIdentity[]> {
  let names: string[]
  try {
    names = (await readdir(dir)).filter((n) => (FACE_PHOTO_EXTENSIONS as readonly string[]).includes(extname(n).toLowerCase())).sort()
  } catch {
    throw new StudioError('not-found', `Faces folder not found: ${dir}`)
  }
  if (names.length === 0) throw new StudioError('invalid-input', `No face photos (${FACE_PHOTO_EXTENSIONS.join(', ')}) in ${dir}`)
  const faces = detector ?? (await loadFaceDetector())
  const identities: FaceIdentity[] = []
  for (const name of names) {
    let photo: SourceImage
    try {
      photo = await loadPhoto(join(dir, name))
    } catch (error) {
      onSkip(`${name}: skipped, not a readable image (${(error as Error).message})`)
      continue
    }
    identities.push(...(await photoIdentities(name, photo, faces, onSkip)))
  }
  if (identities.length === 0) throw new StudioError('invalid-input', `No usable face in ${dir}: every photo was skipped`)
  return identities
}

/** The usable faces of one photo, each cropped around it. */
export async function photoIdentities(name: string, photo: SourceImage, detector: FaceDetector, onSkip: FaceSkipReporter): Promise<FaceIdentity[]> {
  const detected = distinctFaces(await detector.detectAll({ ...photo, data: Float32Array.from(photo.data) }, { inputSize: FACE_ACCEPT.inputSize, scoreThreshold: FACE_ACCEPT.minScore }))
  if (detected.length === 0) {
    onSkip(`${name}: skipped, no face found`)
    return []
  }
  const usable: DetectedFace[] = []
  for (const face of detected.sort((a, b) => a.box.x - b.box.x)) {
    const reason = rejection(face, photo)
    if (reason) onSkip(`${name}: face at x=${Math.round(face.box.x)}, y=${Math.round(face.box.y)} skipped, ${reason}`)
    else usable.push(face)
  }
  if (usable.length === 0 && detected.length > 1) onSkip(`${name}: skipped, none of its ${detected.length} faces is usable`)
  return usable.map((face, i) => {
    const crop = cropAround(photo, face.landmarks)
    // Other people in the crop would be faces in every frame of the clip: the studio aligns on the
    // most confident one, which may be a neighbour. They are blurred beyond detection.
    for (const other of detected) if (other !== face) blurBox(crop.image, other.box, crop.x0, crop.y0)
    return {
      id: usable.length === 1 ? name : `${name}#${i + 1}`,
      photo: crop.image,
      geometry: faceGeometry(face.landmarks.map((p) => ({ x: p.x - crop.x0, y: p.y - crop.y0 }))),
    }
  })
}

/**
 * Drops a detection that covers more than `maxOverlap` of its box with a more confident one's: on
 * group photos TinyFaceDetector sometimes adds a box straddling two neighbours (sample6.jpg of
 * face-api's demo), which would be a non-face identity. Input sorted by score, as detectAll returns.
 */
export function distinctFaces(detected: readonly DetectedFace[], maxOverlap = 0.3): DetectedFace[] {
  const kept: DetectedFace[] = []
  for (const face of detected) {
    const b = face.box
    const covered = kept.some(({ box: k }) => {
      const w = Math.min(b.x + b.width, k.x + k.width) - Math.max(b.x, k.x)
      const h = Math.min(b.y + b.height, k.y + k.height) - Math.max(b.y, k.y)
      return w > 0 && h > 0 && (w * h) / Math.min(b.width * b.height, k.width * k.height) > maxOverlap
    })
    if (!covered) kept.push(face)
  }
  return kept
}

/** Why a detected face cannot be an identity, or null when it can. */
export function rejection(face: DetectedFace, photo: { width: number; height: number }): string | null {
  const iod = interocularDistance(face.landmarks)
  if (iod < FACE_ACCEPT.minInterocular) return `too small (${iod.toFixed(0)} px between the eyes, needs ${FACE_ACCEPT.minInterocular})`
  const yaw = yawRatio(face.landmarks)
  if (yaw < FACE_ACCEPT.minYawRatio) return `profile or turned away (nose/jaw symmetry ${yaw.toFixed(3)}, needs ${FACE_ACCEPT.minYawRatio})`
  const { x, y, width, height } = face.box
  if (x < -0.1 * width || y < -0.1 * height || x + 1.1 * width > photo.width || y + 1.1 * height > photo.height) return 'cut off by the photo edge'
  return null
}

/** Shorter over longer nose-tip-to-jaw-end distance: 1 for a frontal face, near 0 in profile. */
export function yawRatio(landmarks: Landmarks68): number {
  const nose = landmarks[30]!
  const d = (i: number) => Math.hypot(landmarks[i]!.x - nose.x, landmarks[i]!.y - nose.y)
  const a = d(0)
  const b = d(16)
  return Math.min(a, b) / Math.max(a, b)
}

/** The square of the photo within `cropRadius` inter-ocular distances of the eye midpoint, clipped to the photo. */
function cropAround(photo: SourceImage, landmarks: Landmarks68): { image: SourceImage; x0: number; y0: number } {
  const iod = interocularDistance(landmarks)
  const eyes = [36, 39, 42, 45].map((i) => landmarks[i]!)
  const cx = eyes.reduce((s, p) => s + p.x, 0) / eyes.length
  const cy = eyes.reduce((s, p) => s + p.y, 0) / eyes.length
  const r = FACE_ACCEPT.cropRadius * iod
  const x0 = Math.max(0, Math.floor(cx - r))
  const y0 = Math.max(0, Math.floor(cy - r))
  const x1 = Math.min(photo.width, Math.ceil(cx + r))
  const y1 = Math.min(photo.height, Math.ceil(cy + r))
  const width = x1 - x0
  const height = y1 - y0
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) data.set(photo.data.subarray(((y0 + y) * photo.width + x0) * 3, ((y0 + y) * photo.width + x1) * 3), y * width * 3)
  return { image: { width, height, data }, x0, y0 }
}

/** Blurs a detector box (widened by a fifth, in photo pixels; the crop starts at x0, y0) with three box-blur passes. */
function blurBox(image: SourceImage, box: DetectedFace['box'], x0: number, y0: number): void {
  const margin = 0.2 * Math.max(box.width, box.height)
  const left = Math.max(0, Math.floor(box.x - margin - x0))
  const top = Math.max(0, Math.floor(box.y - margin - y0))
  const right = Math.min(image.width, Math.ceil(box.x + box.width + margin - x0))
  const bottom = Math.min(image.height, Math.ceil(box.y + box.height + margin - y0))
  if (right <= left || bottom <= top) return
  const radius = Math.max(2, Math.round(box.width / 8))
  const w = right - left
  const h = bottom - top
  const line = new Float32Array(Math.max(w, h))
  for (let pass = 0; pass < 3; pass++) {
    for (const horizontal of [true, false]) {
      const lines = horizontal ? h : w
      const length = horizontal ? w : h
      for (let l = 0; l < lines; l++) {
        const index = (k: number) => (horizontal ? ((top + l) * image.width + left + k) * 3 : ((top + k) * image.width + left + l) * 3)
        for (let c = 0; c < 3; c++) {
          for (let k = 0; k < length; k++) line[k] = image.data[index(k) + c]!
          for (let k = 0; k < length; k++) {
            const a = Math.max(0, k - radius)
            const b = Math.min(length - 1, k + radius)
            let sum = 0
            for (let j = a; j <= b; j++) sum += line[j]!
            image.data[index(k) + c] = Math.round(sum / (b - a + 1))
          }
        }
      }
    }
  }
}

export async function loadPhoto(path: string): Promise<SourceImage> {
  const { data, info } = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true })
  if (info.channels !== 3) throw new StudioError('media/unsupported', `Face photo must be RGB: ${path}`)
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }
}

/**
 * One identity per subject, in order: a faces folder must have a face for every subject (no person
 * in two subjects). The bundled faces are reused in turn when there are fewer of them than subjects,
 * as the generator did with its one photo: those subjects differ by warp, colour and noise only.
 */
export async function subjectFaces(facesDir: string | undefined, subjects: number, onSkip: FaceSkipReporter): Promise<FaceIdentity[]> {
  if (!facesDir) {
    const bundled = await loadBundledFaces()
    return Array.from({ length: subjects }, (_, s) => bundled[s % bundled.length]!)
  }
  const faces = await loadFaceFolder(facesDir, onSkip)
  if (faces.length < subjects)
    throw new StudioError('invalid-input', `${basename(resolve(facesDir))} has ${faces.length} usable face(s) for ${subjects} subjects: each subject needs a face of its own (add photos or ask for fewer subjects)`)
  return faces.slice(0, subjects)
}
