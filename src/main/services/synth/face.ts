import { eyeCentres, interocularDistance, type Landmarks68, type Point } from '../../vision/face/landmarks'
import type { Random } from './random'

export type { Point }

export type LandmarkName =
  | 'leftEye'
  | 'rightEye'
  | 'leftBrowOuter'
  | 'leftBrowInner'
  | 'rightBrowInner'
  | 'rightBrowOuter'
  | 'glabella'
  | 'noseTip'
  | 'leftMouthCorner'
  | 'rightMouthCorner'

export type Landmarks = Record<LandmarkName, Point>

/**
 * Where the face sits in its photo, from the 68 landmarks the detector found on it: the ten named
 * points the actions are placed at, the crop centre and height, and the roll of the eye line.
 */
export interface FaceGeometry {
  landmarks: Landmarks
  /** All 68 detected points (iBUG order), photo pixels. */
  points68: Landmarks68
  /** Centre of the face crop in the photo, and its height (forehead to below the chin). */
  centre: Point
  cropHeight: number
  /** Angle of the eye line in the photo (image left eye → image right eye), radians, y down. */
  rollRadians: number
}

/*
 * Crop centre and height in inter-ocular distances below / around the eye midpoint: the proportions
 * of the astronaut crop the generator was tuned on (centre 15.4 px below the detected eyes, 200 px
 * high, at 43.1 px between the detected eye centres).
 */
const CENTRE_BELOW_EYES = 0.357
const CROP_HEIGHT_IN_IOD = 4.644

/**
 * The generator's geometry of a face from its 68 detected landmarks (iBUG order; the subject's right
 * eye, 36–41, is on the image's left). Named points are image-left/right, as the actions use them.
 * The outer brow is one point in from the brow's tip (18, 25): there the AU2 push stays on the brow
 * rather than the temple, and there the generator's earlier hand-measured points sat (within 3 px).
 */
export function faceGeometry(points68: Landmarks68): FaceGeometry {
  const eyes = eyeCentres(points68)
  const at = (i: number): Point => ({ x: points68[i]!.x, y: points68[i]!.y })
  const midpoint = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 })
  const landmarks: Landmarks = {
    leftEye: eyes.right,
    rightEye: eyes.left,
    leftBrowOuter: at(18),
    leftBrowInner: at(21),
    rightBrowInner: at(22),
    rightBrowOuter: at(25),
    glabella: midpoint(at(21), at(22)),
    noseTip: at(30),
    leftMouthCorner: at(48),
    rightMouthCorner: at(54),
  }
  const iod = interocularDistance(points68)
  const rollRadians = Math.atan2(eyes.left.y - eyes.right.y, eyes.left.x - eyes.right.x)
  const eyeMid = midpoint(eyes.right, eyes.left)
  // "Down" in the face is the eye line turned 90° clockwise (y down).
  const centre = { x: eyeMid.x - Math.sin(rollRadians) * CENTRE_BELOW_EYES * iod, y: eyeMid.y + Math.cos(rollRadians) * CENTRE_BELOW_EYES * iod }
  return { landmarks, points68, centre, cropHeight: CROP_HEIGHT_IN_IOD * iod, rollRadians }
}

/** A smooth global shape warp: a sum of low-frequency sinusoids over the photo. */
interface ShapeWave {
  amplitudeX: number
  amplitudeY: number
  frequencyX: number
  frequencyY: number
  phase: number
}

/** Everything that makes one synthetic subject look unlike the others. */
export interface SubjectAppearance {
  /** Output pixel → photo pixel, before the shape warp: photo = A·q + b. */
  affine: { a11: number; a12: number; a21: number; a22: number; b1: number; b2: number }
  waves: ShapeWave[]
  /** Per-channel gain, gamma and an additive offset (0–255 scale). */
  gain: [number, number, number]
  gamma: number
  offset: number
  /** Linear illumination ramp across the frame: brightness × (1 + ramp·(x/W − ½)). */
  illuminationRamp: number
  /** Standard deviation of the per-frame Gaussian sensor noise (0–255 scale). */
  noiseSigma: number
  /** Roll drawn for this subject, on top of levelling the photo's eye line. */
  rollDegrees: number
  /** Roll of the face in its photo (radians): face-frame directions turn by it before the affine. */
  faceRollRadians: number
}

export interface SourceImage {
  width: number
  height: number
  /** RGB, 8 bits per channel, row-major. */
  data: Uint8Array
}

/** Draws the appearance of one subject; `random` is that subject's own stream. */
export function drawSubjectAppearance(random: Random, face: FaceGeometry, width: number, height: number): SubjectAppearance {
  const rollDegrees = random.uniform(-4, 4)
  const zoom = random.uniform(0.92, 1.08)
  const faceWidthScale = random.uniform(0.92, 1.08)
  const shiftX = random.uniform(-0.03, 0.03) * width
  const shiftY = random.uniform(-0.03, 0.03) * height
  // Photo pixels per output pixel.
  const scale = face.cropHeight / zoom / height
  // The photo's own roll is undone, so every subject starts level whatever the photo's head tilt.
  const theta = (rollDegrees * Math.PI) / 180 + face.rollRadians
  const cos = Math.cos(theta)
  const sin = Math.sin(theta)
  // photo = centre + R(θ)·diag(sx, s)·(q − outputCentre − shift)
  const sx = scale * faceWidthScale
  const a11 = cos * sx
  const a12 = -sin * scale
  const a21 = sin * sx
  const a22 = cos * scale
  const qx = width / 2 + shiftX
  const qy = height / 2 + shiftY
  const affine = {
    a11,
    a12,
    a21,
    a22,
    b1: face.centre.x - (a11 * qx + a12 * qy),
    b2: face.centre.y - (a21 * qx + a22 * qy),
  }
  const waves: ShapeWave[] = []
  for (let i = 0; i < 3; i++) {
    waves.push({
      amplitudeX: random.uniform(-3, 3),
      amplitudeY: random.uniform(-3, 3),
      frequencyX: random.uniform(0.5, 1.5) / face.cropHeight,
      frequencyY: random.uniform(0.5, 1.5) / face.cropHeight,
      phase: random.uniform(0, 2 * Math.PI),
    })
  }
  return {
    affine,
    waves,
    gain: [random.uniform(0.85, 1.15), random.uniform(0.85, 1.15), random.uniform(0.85, 1.15)],
    gamma: random.uniform(0.85, 1.2),
    offset: random.uniform(-15, 15),
    illuminationRamp: random.uniform(-0.3, 0.3),
    noiseSigma: random.uniform(1, 2.5),
    rollDegrees,
    faceRollRadians: face.rollRadians,
  }
}

/** Output pixel → photo pixel (affine, then the smooth shape warp). */
export function outputToPhoto(appearance: SubjectAppearance, qx: number, qy: number): Point {
  const { a11, a12, a21, a22, b1, b2 } = appearance.affine
  const x = a11 * qx + a12 * qy + b1
  const y = a21 * qx + a22 * qy + b2
  let dx = 0
  let dy = 0
  for (const wave of appearance.waves) {
    const s = Math.sin(2 * Math.PI * (wave.frequencyX * x + wave.frequencyY * y) + wave.phase)
    dx += wave.amplitudeX * s
    dy += wave.amplitudeY * s
  }
  return { x: x + dx, y: y + dy }
}

/** Photo pixel → output pixel: inverts `outputToPhoto` by fixed-point iteration (the warp is small and smooth). */
export function photoToOutput(appearance: SubjectAppearance, photo: Point): Point {
  const { a11, a12, a21, a22, b1, b2 } = appearance.affine
  const det = a11 * a22 - a12 * a21
  const solveAffine = (px: number, py: number): Point => ({
    x: (a22 * (px - b1) - a12 * (py - b2)) / det,
    y: (-a21 * (px - b1) + a11 * (py - b2)) / det,
  })
  let q = solveAffine(photo.x, photo.y)
  for (let i = 0; i < 20; i++) {
    const mapped = outputToPhoto(appearance, q.x, q.y)
    const correction = solveAffine(photo.x - (mapped.x - (a11 * q.x + a12 * q.y + b1)), photo.y - (mapped.y - (a21 * q.x + a22 * q.y + b2)))
    if (Math.abs(correction.x - q.x) < 1e-6 && Math.abs(correction.y - q.y) < 1e-6) return correction
    q = correction
  }
  return q
}

/** A direction in the face's own frame (x along the eye line, y down the face) in output pixels, normalised. */
export function faceDirectionToOutput(appearance: SubjectAppearance, fx: number, fy: number): Point {
  const { a11, a12, a21, a22 } = appearance.affine
  const c = Math.cos(appearance.faceRollRadians)
  const s = Math.sin(appearance.faceRollRadians)
  const dx = c * fx - s * fy
  const dy = s * fx + c * fy
  const det = a11 * a22 - a12 * a21
  const x = (a22 * dx - a12 * dy) / det
  const y = (-a21 * dx + a11 * dy) / det
  const length = Math.hypot(x, y) || 1
  return { x: x / length, y: y / length }
}

export function subjectLandmarks(appearance: SubjectAppearance, face: FaceGeometry): Landmarks {
  const result = {} as Landmarks
  for (const [name, point] of Object.entries(face.landmarks) as [LandmarkName, Point][]) {
    result[name] = photoToOutput(appearance, point)
  }
  return result
}

/**
 * Renders the subject's neutral face at the output size: RGB float (0–255), row-major,
 * bilinear samples of the photo through the subject's warp, then its colour and illumination.
 */
export function renderNeutralFace(photo: SourceImage, appearance: SubjectAppearance, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 3)
  const lut = new Float32Array(256 * 3)
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = 255 * Math.pow(v / 255, appearance.gamma) * appearance.gain[c]!
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = outputToPhoto(appearance, x, y)
      const light = 1 + appearance.illuminationRamp * (x / width - 0.5)
      const o = (y * width + x) * 3
      for (let c = 0; c < 3; c++) {
        const value = samplePhotoChannel(photo, p.x, p.y, c)
        // Interpolate the gamma LUT between neighbouring integer levels.
        const lo = Math.floor(value)
        const hi = Math.min(255, lo + 1)
        const t = value - lo
        const mapped = lut[c * 256 + lo]! * (1 - t) + lut[c * 256 + hi]! * t
        out[o + c] = mapped * light + appearance.offset
      }
    }
  }
  return out
}

/** Bilinear sample of one photo channel, clamping at the borders. */
function samplePhotoChannel(photo: SourceImage, x: number, y: number, channel: number): number {
  const { width, height, data } = photo
  const cx = Math.min(Math.max(x, 0), width - 1)
  const cy = Math.min(Math.max(y, 0), height - 1)
  const x0 = Math.floor(cx)
  const y0 = Math.floor(cy)
  const x1 = Math.min(x0 + 1, width - 1)
  const y1 = Math.min(y0 + 1, height - 1)
  const fx = cx - x0
  const fy = cy - y0
  const top = data[(y0 * width + x0) * 3 + channel]! * (1 - fx) + data[(y0 * width + x1) * 3 + channel]! * fx
  const bottom = data[(y1 * width + x0) * 3 + channel]! * (1 - fx) + data[(y1 * width + x1) * 3 + channel]! * fx
  return top * (1 - fy) + bottom * fy
}

/** One real face: its photo (or the crop of a group photo around it) and where the face is in it. */
export interface FaceIdentity {
  /** `photo.jpg`, or `photo.jpg#2` for the second face (left to right) of a group photo. */
  id: string
  photo: SourceImage
  geometry: FaceGeometry
}

/** A synthetic subject drawn from `random`: its appearance, landmarks and neutral face at the output size. */
export function drawSubject(random: Random, face: FaceIdentity, width: number, height: number): { appearance: SubjectAppearance; landmarks: Landmarks; neutral: Float32Array } {
  const appearance = drawSubjectAppearance(random, face.geometry, width, height)
  return { appearance, landmarks: subjectLandmarks(appearance, face.geometry), neutral: renderNeutralFace(face.photo, appearance, width, height) }
}
