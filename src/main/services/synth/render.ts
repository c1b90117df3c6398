import { sampleBilinear, type GrayImage } from '../../vision/image'
import type { DisplacementField } from './actions'
import type { Random } from './random'

/** Small rigid head motion at one frame: rotation about the frame centre, then translation. */
export interface RigidPose {
  angle: number
  tx: number
  ty: number
}

export const STILL_POSE: RigidPose = { angle: 0, tx: 0, ty: 0 }

/** Slow sinusoidal drift, a fraction of a pixel and of a degree: enough to trouble a naive flow. */
export interface HeadMotion {
  translation: { x: number; y: number }
  angle: number
  periodFrames: number
  phase: number
}

export function drawHeadMotion(random: Random, fps: number): HeadMotion {
  return {
    translation: { x: random.uniform(-0.5, 0.5), y: random.uniform(-0.5, 0.5) },
    angle: (random.uniform(-0.15, 0.15) * Math.PI) / 180,
    periodFrames: random.uniform(1, 2) * fps,
    phase: random.uniform(0, 2 * Math.PI),
  }
}

export function poseAt(motion: HeadMotion | null, frameIndex: number): RigidPose {
  if (!motion) return STILL_POSE
  const s = Math.sin((2 * Math.PI * frameIndex) / motion.periodFrames + motion.phase)
  return { angle: motion.angle * s, tx: motion.translation.x * s, ty: motion.translation.y * s }
}

/** Where a face point p lands in the frame under `pose` (rotation about the frame centre). */
function applyPose(pose: RigidPose, x: number, y: number, cx: number, cy: number): [number, number] {
  const cos = Math.cos(pose.angle)
  const sin = Math.sin(pose.angle)
  const dx = x - cx
  const dy = y - cy
  return [cos * dx - sin * dy + cx + pose.tx, sin * dx + cos * dy + cy + pose.ty]
}

function invertPose(pose: RigidPose, x: number, y: number, cx: number, cy: number): [number, number] {
  const cos = Math.cos(pose.angle)
  const sin = Math.sin(pose.angle)
  const dx = x - cx - pose.tx
  const dy = y - cy - pose.ty
  return [cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy]
}

export interface FrameSpec {
  /** Activation of the displacement field, 0 (neutral) to 1 (apex). */
  activation: number
  pose: RigidPose
}

/**
 * Renders one frame: every face point p of the neutral image appears at pose(p + a·F(p)).
 * For each output pixel q the face point is found by inverting the pose and solving
 * p + a·F(p) = q' by fixed-point iteration (F is smooth and ≤ 2 px, so three steps converge).
 * Gaussian sensor noise is added, then values are rounded to 8 bits.
 */
export function renderFrame(
  neutral: Float32Array,
  field: DisplacementField,
  spec: FrameSpec,
  noiseSigma: number,
  noise: Random,
  channels: 1 | 3,
): Uint8Array {
  const { width, height } = field
  // Displacement planes as images, for the shared clamped bilinear sampler.
  const u: GrayImage = { width, height, data: field.u }
  const v: GrayImage = { width, height, data: field.v }
  const values = new Float32Array(width * height * channels)
  const cx = (width - 1) / 2
  const cy = (height - 1) / 2
  const a = spec.activation
  const still = spec.pose === STILL_POSE
  const cos = Math.cos(spec.pose.angle)
  const sin = Math.sin(spec.pose.angle)
  const pixel = new Float32Array(3)
  const { x0, y0, x1, y1 } = field.support
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Face position shown at (x, y): undo the pose, then the displacement.
      let qx = x
      let qy = y
      if (!still) {
        const dx = x - cx - spec.pose.tx
        const dy = y - cy - spec.pose.ty
        qx = cos * dx + sin * dy + cx
        qy = -sin * dx + cos * dy + cy
      }
      // Outside the field's support (widened by a margin for pose and displacement) F is zero.
      const displaced = a !== 0 && qx >= x0 && qx <= x1 && qy >= y0 && qy <= y1
      if (still && !displaced) {
        const i = (y * width + x) * 3
        pixel[0] = neutral[i]!
        pixel[1] = neutral[i + 1]!
        pixel[2] = neutral[i + 2]!
      } else {
        let px = qx
        let py = qy
        if (displaced) {
          for (let k = 0; k < 3; k++) {
            px = qx - a * sampleBilinear(u, px, py)
            py = qy - a * sampleBilinear(v, px, py)
          }
        }
        samplePixel(neutral, width, height, px, py, pixel)
      }
      const o = (y * width + x) * channels
      if (channels === 1) {
        // ITU-R BT.601 luma, as a grey camera (SAMM) would record it.
        values[o] = 0.299 * pixel[0]! + 0.587 * pixel[1]! + 0.114 * pixel[2]!
      } else {
        values[o] = pixel[0]!
        values[o + 1] = pixel[1]!
        values[o + 2] = pixel[2]!
      }
    }
  }
  noise.addApproximateGaussian(values, noiseSigma)
  const out = new Uint8Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = quantise(values[i]!)
  return out
}

function quantise(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value)
}

function samplePixel(image: Float32Array, width: number, height: number, x: number, y: number, out: Float32Array): void {
  const cx = x < 0 ? 0 : x > width - 1 ? width - 1 : x
  const cy = y < 0 ? 0 : y > height - 1 ? height - 1 : y
  const x0 = Math.floor(cx)
  const y0 = Math.floor(cy)
  const x1 = x0 + 1 < width ? x0 + 1 : x0
  const y1 = y0 + 1 < height ? y0 + 1 : y0
  const fx = cx - x0
  const fy = cy - y0
  const i00 = (y0 * width + x0) * 3
  const i01 = (y0 * width + x1) * 3
  const i10 = (y1 * width + x0) * 3
  const i11 = (y1 * width + x1) * 3
  for (let c = 0; c < 3; c++) {
    const top = image[i00 + c]! * (1 - fx) + image[i01 + c]! * fx
    const bottom = image[i10 + c]! * (1 - fx) + image[i11 + c]! * fx
    out[c] = top * (1 - fy) + bottom * fy
  }
}

/**
 * Ground-truth flow from the onset frame to the apex frame: the onset pixel x shows face point
 * p = pose_onset⁻¹(x), which at the apex sits at pose_apex(p + F(p)).
 */
export function onsetToApexFlow(field: DisplacementField, onsetPose: RigidPose, apexPose: RigidPose): { u: Float32Array; v: Float32Array } {
  const { width, height } = field
  // Displacement planes as images, for the shared clamped bilinear sampler.
  const u: GrayImage = { width, height, data: field.u }
  const v: GrayImage = { width, height, data: field.v }
  const flowU = new Float32Array(width * height)
  const flowV = new Float32Array(width * height)
  const cx = (width - 1) / 2
  const cy = (height - 1) / 2
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [px, py] = invertPose(onsetPose, x, y, cx, cy)
      const [ax, ay] = applyPose(
        apexPose,
        px + sampleBilinear(u, px, py),
        py + sampleBilinear(v, px, py),
        cx,
        cy,
      )
      const i = y * width + x
      flowU[i] = ax - x
      flowV[i] = ay - y
    }
  }
  return { u: flowU, v: flowV }
}
