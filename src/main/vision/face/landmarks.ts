/**
 * 68-point facial landmarks (iBUG 300-W / dlib / face-api order, 0-based) and the geometry the
 * rest of the pipeline reads from them. "Left"/"right" name the subject's sides (FACS L/R
 * convention), so the subject's right eye (points 36–41) is on the image's left.
 */

export interface Point {
  x: number
  y: number
}

/** Exactly 68 points in image pixels. */
export type Landmarks68 = readonly Point[]

/** Index ranges [start, end) of the iBUG 68-point scheme. */
export const LANDMARK_GROUPS = {
  jaw: [0, 17],
  rightBrow: [17, 22],
  leftBrow: [22, 27],
  noseBridge: [27, 31],
  noseLower: [31, 36],
  rightEye: [36, 42],
  leftEye: [42, 48],
  outerLips: [48, 60],
  innerLips: [60, 68],
} as const satisfies Record<string, readonly [number, number]>

export function checkLandmarks(landmarks: Landmarks68): void {
  if (landmarks.length !== 68) throw new RangeError(`expected 68 landmarks, got ${landmarks.length}`)
}

export function centroid(points: readonly Point[]): Point {
  let x = 0
  let y = 0
  for (const p of points) {
    x += p.x
    y += p.y
  }
  return { x: x / points.length, y: y / points.length }
}

/** Eye centres as the mean of each eye's six points: the subject's right eye (image left) first. */
export function eyeCentres(landmarks: Landmarks68): { right: Point; left: Point } {
  checkLandmarks(landmarks)
  return {
    right: centroid(landmarks.slice(...LANDMARK_GROUPS.rightEye)),
    left: centroid(landmarks.slice(...LANDMARK_GROUPS.leftEye)),
  }
}

/** Distance between the eye centres (the scale unit of alignment and of the regions). */
export function interocularDistance(landmarks: Landmarks68): number {
  const { right, left } = eyeCentres(landmarks)
  return Math.hypot(left.x - right.x, left.y - right.y)
}
