/**
 * Face alignment by a similarity transform fitted on the eye centres of the onset frame: rotate so
 * the eyes are level, scale to a fixed inter-ocular distance, translate the eye midpoint to a
 * canonical position, then crop. The same transform and crop are applied to every frame of the
 * clip, so the motion inside the clip is preserved (MEB / Off-TANet preprocessing: align on the
 * onset frame only).
 */
import type { RgbImage } from '../color'
import { gaussianBlur, sampleBilinear, type GrayImage } from '../image'
import { eyeCentres, type Landmarks68, type Point } from './landmarks'

/** c = [a −b; b a]·p + (tx, ty): image pixel p → crop pixel c. */
export interface SimilarityTransform {
  a: number
  b: number
  tx: number
  ty: number
}

/** Crop sizes of the published models (square, pixels). */
export const CROP_PRESETS = {
  /** Off-TANet (Zhang et al. 2021): onset→apex TV-L1 at 112×112. */
  'off-tanet': 112,
  /** STSTNet (Liong et al. 2019): 28×28. */
  ststnet: 28,
  /** CBAMNet (Chen et al. 2020): 64×64 frames. */
  cbamnet: 64,
  /** MS-3D-ResNet (Jin et al. 2024): 134×134 flow maps. */
  'ms-3d-resnet': 134,
  /** AST+SVMNet (Xue et al. 2024): 192×192 frames. */
  'ast-svmnet': 192,
} as const

export type CropPreset = keyof typeof CROP_PRESETS

export interface AlignOptions {
  /** Output side in pixels, or a preset name. Default 'off-tanet' (112). */
  size?: number | CropPreset
  /** Inter-ocular distance as a fraction of the side. Default 0.4 (jaw to jaw fits, as in the cropped CASME II/SAMM frames). */
  interocular?: number
  /** Height of the eye line as a fraction of the side. Default 0.38 (brows to chin in frame). */
  eyeY?: number
  /** Gaussian pre-filter before down-scaling, σ = (1/scale − 1)/2 (scikit-image's rule). Default true. */
  antialias?: boolean
}

export const ALIGN_DEFAULTS: Required<AlignOptions> = { size: 'off-tanet', interocular: 0.4, eyeY: 0.38, antialias: true }

export function cropSide(size: number | CropPreset): number {
  const side = typeof size === 'number' ? size : CROP_PRESETS[size]
  if (!Number.isInteger(side) || side < 2) throw new RangeError(`crop size must be an integer ≥ 2, got ${String(size)}`)
  return side
}

/** Canonical crop positions of the eye centres for these options (subject's right eye first). */
export function canonicalEyes(options: AlignOptions = {}): { right: Point; left: Point } {
  const o = { ...ALIGN_DEFAULTS, ...options }
  const s = cropSide(o.size)
  return {
    right: { x: (0.5 - o.interocular / 2) * s, y: o.eyeY * s },
    left: { x: (0.5 + o.interocular / 2) * s, y: o.eyeY * s },
  }
}

/** The similarity taking the two image points exactly onto the two target points. */
export function similarityFromPairs(p0: Point, p1: Point, q0: Point, q1: Point): SimilarityTransform {
  const dx = p1.x - p0.x
  const dy = p1.y - p0.y
  const d2 = dx * dx + dy * dy
  if (!(d2 > 0)) throw new RangeError('similarity: source points coincide')
  const ex = q1.x - q0.x
  const ey = q1.y - q0.y
  // (a + ib)·(dx + i dy) = ex + i ey
  const a = (ex * dx + ey * dy) / d2
  const b = (ey * dx - ex * dy) / d2
  return { a, b, tx: q0.x - (a * p0.x - b * p0.y), ty: q0.y - (b * p0.x + a * p0.y) }
}

/** Image → crop transform from the onset frame's landmarks. */
export function alignmentTransform(onsetLandmarks: Landmarks68, options: AlignOptions = {}): SimilarityTransform {
  const eyes = eyeCentres(onsetLandmarks)
  const target = canonicalEyes(options)
  return similarityFromPairs(eyes.right, eyes.left, target.right, target.left)
}

export function applySimilarity(t: SimilarityTransform, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty }
}

export function invertSimilarity(t: SimilarityTransform): SimilarityTransform {
  const d = t.a * t.a + t.b * t.b
  const a = t.a / d
  const b = -t.b / d
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) }
}

/** Scale factor of the transform (crop pixels per image pixel). */
export function similarityScale(t: SimilarityTransform): number {
  return Math.hypot(t.a, t.b)
}

/**
 * Warps `img` into a `side × side` crop: every crop pixel samples the image bilinearly at the
 * inverse-transformed position (borders replicated); down-scaling pre-filters with a Gaussian.
 */
export function warpSimilarity(img: GrayImage, t: SimilarityTransform, side: number, antialias = true): GrayImage {
  const scale = similarityScale(t)
  const src = antialias && scale < 1 ? gaussianBlur(img, (1 / scale - 1) / 2) : img
  const inv = invertSimilarity(t)
  const out = new Float32Array(side * side)
  for (let y = 0; y < side; y++) {
    // Pixel centres: crop pixel (x, y) covers [x, x+1); transforms act on pixel-centre coordinates.
    const sx0 = -inv.b * y + inv.tx
    const sy0 = inv.a * y + inv.ty
    for (let x = 0; x < side; x++) out[y * side + x] = sampleBilinear(src, inv.a * x + sx0, inv.b * x + sy0)
  }
  return { width: side, height: side, data: out }
}

/** `warpSimilarity` for interleaved RGB, channel by channel. */
export function warpSimilarityRgb(img: RgbImage, t: SimilarityTransform, side: number, antialias = true): RgbImage {
  const n = img.width * img.height
  const out = new Float32Array(side * side * 3)
  const plane = new Float32Array(n)
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < n; p++) plane[p] = img.data[3 * p + c]!
    const w = warpSimilarity({ width: img.width, height: img.height, data: plane }, t, side, antialias).data
    for (let p = 0; p < w.length; p++) out[3 * p + c] = w[p]!
  }
  return { width: side, height: side, data: out }
}

export interface AlignedClip {
  frames: GrayImage[]
  transform: SimilarityTransform
  side: number
}

/** Aligns a whole clip with the transform fitted on the onset frame's landmarks. */
export function alignClip(frames: readonly GrayImage[], onsetLandmarks: Landmarks68, options: AlignOptions = {}): AlignedClip {
  const o = { ...ALIGN_DEFAULTS, ...options }
  const side = cropSide(o.size)
  const transform = alignmentTransform(onsetLandmarks, o)
  return { frames: frames.map((f) => warpSimilarity(f, transform, side, o.antialias)), transform, side }
}

/** Landmarks mapped into the crop (for overlays and for regions on aligned frames). */
export function transformLandmarks(landmarks: Landmarks68, t: SimilarityTransform): Point[] {
  return landmarks.map((p) => applySimilarity(t, p))
}
