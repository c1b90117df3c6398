import type { Emotion, MegcClass } from '@shared/domain/dataset'
import { faceDirectionToOutput, type LandmarkName, type Landmarks, type Point, type SubjectAppearance } from './face'

/** The facial actions the generator animates, each a few localised pushes at FACS regions. */
export const SYNTH_ACTIONS = ['AU12', 'AU4', 'AU14', 'AU1+2'] as const
export type SynthAction = (typeof SYNTH_ACTIONS)[number]

interface RegionSpec {
  name: string
  /** Landmark at the centre, optionally moved along the face axes by a fraction of the interocular distance. */
  landmark: LandmarkName
  shift?: Point
  /** Direction of movement in the face (x along the eye line, y down the face); mapped through the subject's pose. */
  direction: Point
  /** Relative peak displacement of this region (1 = the sample's amplitude). */
  weight: number
  /** Gaussian σ as a fraction of the interocular distance. */
  sigma: number
}

interface ActionSpec {
  auCodes: string[]
  /** As written in a CASME II / SAMM "Action Units" cell. */
  auText: string
  emotion: { casme2: Emotion; samm: Emotion }
  megcClass: MegcClass
  /** SAMM objective class (Davison et al. 2018) the action belongs to. */
  objectiveClass: string
  regions: RegionSpec[]
}

export const ACTION_SPECS: Readonly<Record<SynthAction, ActionSpec>> = {
  // Lip-corner puller: corners move up and outwards towards the cheekbones.
  AU12: {
    auCodes: ['AU12'],
    auText: '12',
    emotion: { casme2: 'happiness', samm: 'happiness' },
    megcClass: 'positive',
    objectiveClass: '1',
    regions: [
      { name: 'left lip corner', landmark: 'leftMouthCorner', direction: { x: -0.6, y: -0.8 }, weight: 1, sigma: 0.22 },
      { name: 'right lip corner', landmark: 'rightMouthCorner', direction: { x: 0.6, y: -0.8 }, weight: 1, sigma: 0.22 },
    ],
  },
  // Brow lowerer: inner brows pulled down and together, the glabella bunches.
  AU4: {
    auCodes: ['AU4'],
    auText: '4',
    emotion: { casme2: 'disgust', samm: 'anger' },
    megcClass: 'negative',
    objectiveClass: '3',
    regions: [
      { name: 'left inner brow', landmark: 'leftBrowInner', direction: { x: 0.5, y: 0.85 }, weight: 1, sigma: 0.2 },
      { name: 'right inner brow', landmark: 'rightBrowInner', direction: { x: -0.5, y: 0.85 }, weight: 1, sigma: 0.2 },
      { name: 'glabella', landmark: 'glabella', direction: { x: 0, y: 1 }, weight: 0.5, sigma: 0.15 },
    ],
  },
  // Dimpler: lip corners tightened inwards, the dimple forms just outside them.
  AU14: {
    auCodes: ['AU14'],
    auText: '14',
    emotion: { casme2: 'repression', samm: 'contempt' },
    megcClass: 'negative',
    objectiveClass: '7',
    regions: [
      { name: 'left dimple', landmark: 'leftMouthCorner', shift: { x: -0.08, y: 0 }, direction: { x: 1, y: -0.1 }, weight: 1, sigma: 0.16 },
      { name: 'right dimple', landmark: 'rightMouthCorner', shift: { x: 0.08, y: 0 }, direction: { x: -1, y: -0.1 }, weight: 1, sigma: 0.16 },
    ],
  },
  // Inner and outer brow raisers together: the whole brow line lifts.
  'AU1+2': {
    auCodes: ['AU1', 'AU2'],
    auText: '1+2',
    emotion: { casme2: 'surprise', samm: 'surprise' },
    megcClass: 'surprise',
    objectiveClass: '2',
    regions: [
      { name: 'left outer brow', landmark: 'leftBrowOuter', direction: { x: 0, y: -1 }, weight: 1, sigma: 0.18 },
      { name: 'left inner brow', landmark: 'leftBrowInner', direction: { x: 0, y: -1 }, weight: 1, sigma: 0.18 },
      { name: 'right inner brow', landmark: 'rightBrowInner', direction: { x: 0, y: -1 }, weight: 1, sigma: 0.18 },
      { name: 'right outer brow', landmark: 'rightBrowOuter', direction: { x: 0, y: -1 }, weight: 1, sigma: 0.18 },
    ],
  },
}

/** One moving region, in output pixels: recorded in the ground truth. */
export interface ActionRegion {
  name: string
  centre: Point
  /** Unit direction of movement at the centre. */
  direction: Point
  sigma: number
  /** [x0, y0, x1, y1]: the centre ± 2σ, clipped to the frame; holds ~95 % of the motion. */
  box: [number, number, number, number]
  /** Peak displacement at the centre at the apex, pixels. */
  peak: number
}

export interface DisplacementField {
  width: number
  height: number
  u: Float32Array
  v: Float32Array
  /** Bounding box of the non-zero displacements, widened by a margin for pose and displacement. */
  support: { x0: number; y0: number; x1: number; y1: number }
}

export function placeRegions(
  action: SynthAction,
  appearance: SubjectAppearance,
  landmarks: Landmarks,
  amplitude: number,
  width: number,
  height: number,
): ActionRegion[] {
  const interocular = Math.hypot(landmarks.rightEye.x - landmarks.leftEye.x, landmarks.rightEye.y - landmarks.leftEye.y)
  const eyeAxis = faceDirectionToOutput(appearance, 1, 0)
  const downAxis = faceDirectionToOutput(appearance, 0, 1)
  return ACTION_SPECS[action].regions.map((spec) => {
    const base = landmarks[spec.landmark]
    const shift = spec.shift ?? { x: 0, y: 0 }
    const centre = {
      x: base.x + interocular * (shift.x * eyeAxis.x + shift.y * downAxis.x),
      y: base.y + interocular * (shift.x * eyeAxis.y + shift.y * downAxis.y),
    }
    const sigma = spec.sigma * interocular
    const clip = (value: number, limit: number) => Math.min(Math.max(value, 0), limit)
    return {
      name: spec.name,
      centre,
      direction: faceDirectionToOutput(appearance, spec.direction.x, spec.direction.y),
      sigma,
      box: [clip(centre.x - 2 * sigma, width), clip(centre.y - 2 * sigma, height), clip(centre.x + 2 * sigma, width), clip(centre.y + 2 * sigma, height)],
      peak: amplitude * spec.weight,
    }
  })
}

/** The apex displacement field: a sum of Gaussian-windowed pushes, zero outside 3σ of every region. */
export function displacementField(regions: ActionRegion[], width: number, height: number): DisplacementField {
  const u = new Float32Array(width * height)
  const v = new Float32Array(width * height)
  const support = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }
  const margin = 4 + Math.max(0, ...regions.map((r) => r.peak))
  for (const region of regions) {
    const reach = 3 * region.sigma
    const x0 = Math.max(0, Math.floor(region.centre.x - reach))
    const x1 = Math.min(width - 1, Math.ceil(region.centre.x + reach))
    const y0 = Math.max(0, Math.floor(region.centre.y - reach))
    const y1 = Math.min(height - 1, Math.ceil(region.centre.y + reach))
    support.x0 = Math.min(support.x0, x0 - margin)
    support.y0 = Math.min(support.y0, y0 - margin)
    support.x1 = Math.max(support.x1, x1 + margin)
    support.y1 = Math.max(support.y1, y1 + margin)
    const inverseTwoSigmaSquared = 1 / (2 * region.sigma * region.sigma)
    for (let y = y0; y <= y1; y++) {
      const dy = y - region.centre.y
      for (let x = x0; x <= x1; x++) {
        const dx = x - region.centre.x
        const r2 = dx * dx + dy * dy
        if (r2 > reach * reach) continue
        const w = region.peak * Math.exp(-r2 * inverseTwoSigmaSquared)
        const i = y * width + x
        u[i]! += w * region.direction.x
        v[i]! += w * region.direction.y
      }
    }
  }
  return { width, height, u, v, support }
}

/**
 * Raised-cosine activation at integer frame index `i`: 0 before the onset, rising as
 * ½(1 − cos πτ) to 1 at the apex, falling as ½(1 + cos πτ) to 0 at the offset.
 */
export function activation(i: number, onset: number, apex: number, offset: number): number {
  if (i <= onset || i >= offset) return 0
  if (i <= apex) return 0.5 * (1 - Math.cos((Math.PI * (i - onset)) / (apex - onset)))
  return 0.5 * (1 + Math.cos((Math.PI * (i - apex)) / (offset - apex)))
}
