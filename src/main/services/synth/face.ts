import type { Random } from './random'

/** A point in pixel coordinates, x right, y down. */
export interface Point {
  x: number
  y: number
}

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
 * Landmarks of `resources/faces/astronaut.png` (512×512), measured by hand on an 8× enlargement.
 * "Left" is the image's left (the subject's right side).
 */
export const ASTRONAUT_LANDMARKS: Landmarks = {
  leftEye: { x: 202.5, y: 100.5 },
  rightEye: { x: 247.5, y: 102.5 },
  leftBrowOuter: { x: 191, y: 90 },
  leftBrowInner: { x: 212.5, y: 90 },
  rightBrowInner: { x: 237.5, y: 91 },
  rightBrowOuter: { x: 260, y: 94 },
  glabella: { x: 225, y: 92 },
  noseTip: { x: 225, y: 127 },
  leftMouthCorner: { x: 204, y: 141 },
  rightMouthCorner: { x: 244, y: 142 },
}

/** Centre of the face crop in the photo and its height (forehead to below the chin). */
const FACE_CENTRE: Point = { x: 225, y: 118 }
const FACE_CROP_HEIGHT = 200

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
  rollDegrees: number
}

export interface SourceImage {
  width: number
  height: number
  /** RGB, 8 bits per channel, row-major. */
  data: Uint8Array
}

/** Draws the appearance of one subject; `random` is that subject's own stream. */
export function drawSubjectAppearance(random: Random, width: number, height: number): SubjectAppearance {
  const rollDegrees = random.uniform(-4, 4)
  const zoom = random.uniform(0.92, 1.08)
  const faceWidthScale = random.uniform(0.92, 1.08)
  const shiftX = random.uniform(-0.03, 0.03) * width
  const shiftY = random.uniform(-0.03, 0.03) * height
  // Photo pixels per output pixel.
  const scale = FACE_CROP_HEIGHT / zoom / height
  const theta = (rollDegrees * Math.PI) / 180
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
    b1: FACE_CENTRE.x - (a11 * qx + a12 * qy),
    b2: FACE_CENTRE.y - (a21 * qx + a22 * qy),
  }
  const waves: ShapeWave[] = []
  for (let i = 0; i < 3; i++) {
    waves.push({
      amplitudeX: random.uniform(-3, 3),
      amplitudeY: random.uniform(-3, 3),
      frequencyX: random.uniform(0.5, 1.5) / FACE_CROP_HEIGHT,
      frequencyY: random.uniform(0.5, 1.5) / FACE_CROP_HEIGHT,
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

/** A direction in the photo (unit length there) expressed in output pixels, normalised. */
export function photoDirectionToOutput(appearance: SubjectAppearance, dx: number, dy: number): Point {
  const { a11, a12, a21, a22 } = appearance.affine
  const det = a11 * a22 - a12 * a21
  const x = (a22 * dx - a12 * dy) / det
  const y = (-a21 * dx + a11 * dy) / det
  const length = Math.hypot(x, y) || 1
  return { x: x / length, y: y / length }
}

export function subjectLandmarks(appearance: SubjectAppearance): Landmarks {
  const result = {} as Landmarks
  for (const [name, point] of Object.entries(ASTRONAUT_LANDMARKS) as [LandmarkName, Point][]) {
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

/** A synthetic subject drawn from `random`: its appearance, landmarks and neutral face at the output size. */
export function drawSubject(random: Random, photo: SourceImage, width: number, height: number): { appearance: SubjectAppearance; landmarks: Landmarks; neutral: Float32Array } {
  const appearance = drawSubjectAppearance(random, width, height)
  return { appearance, landmarks: subjectLandmarks(appearance), neutral: renderNeutralFace(photo, appearance, width, height) }
}
