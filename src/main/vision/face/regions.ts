/**
 * Facial regions as polygons built from the 68 landmarks, named after the regions of the FACS AU
 * catalogue (`resources/facs/au-catalogue.json`: brows, eyes, nose, cheeks, lips, chin, jaw, face),
 * plus the rigid nose-bridge patch used as a head-motion reference by apex spotting. Sizes scale
 * with the inter-ocular distance (IOD), so the same code works on raw frames and aligned crops.
 */
import type { AU_REGIONS } from '../../../shared/domain/au'
import { centroid, checkLandmarks, interocularDistance, LANDMARK_GROUPS, type Landmarks68, type Point } from './landmarks'

export type AuRegionName = (typeof AU_REGIONS)[number]

export interface FaceRegion {
  /** Stable id, e.g. `left-brow`, `glabella`, `right-mouth-corner`, `nose-reference`. */
  id: string
  /** Catalogue region whose AUs act here. */
  region: AuRegionName
  /** The subject's side. */
  side: 'left' | 'right' | 'centre'
  /** True for the rigid reference patch (little facial motion, follows the head). */
  reference: boolean
  /** Closed polygon in image pixels (last point joins the first). */
  polygon: Point[]
}

function pts(lm: Landmarks68, indices: readonly number[]): Point[] {
  return indices.map((i) => lm[i]!)
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, i) => start + i)
}

/** Scales a polygon about its centroid. */
function dilate(poly: readonly Point[], k: number): Point[] {
  const c = centroid(poly)
  return poly.map((p) => ({ x: c.x + k * (p.x - c.x), y: c.y + k * (p.y - c.y) }))
}

function square(c: Point, half: number, up: Point): Point[] {
  // Oriented with the face: `up` is the unit vector from the chin towards the brows.
  const rx = -up.y
  const ry = up.x
  return [
    { x: c.x + half * (-rx + up.x), y: c.y + half * (-ry + up.y) },
    { x: c.x + half * (rx + up.x), y: c.y + half * (ry + up.y) },
    { x: c.x + half * (rx - up.x), y: c.y + half * (ry - up.y) },
    { x: c.x + half * (-rx - up.x), y: c.y + half * (-ry - up.y) },
  ]
}

function shift(points: readonly Point[], v: Point, k: number): Point[] {
  return points.map((p) => ({ x: p.x + k * v.x, y: p.y + k * v.y }))
}

/**
 * Regions of one face. Brows: the brow line widened by 0.25 IOD upwards and 0.1 IOD downwards;
 * glabella between the inner brow ends and the top of the nose bridge; eyes: eye contour ×1.5;
 * nose: bridge top to the nostrils; cheeks: lower eyelid, nose wing, mouth corner and jaw line;
 * lips: outer lip contour ×1.2; mouth corners: squares of half-side 0.15 IOD; chin: below the lower
 * lip; jaw: lower face; face: jaw line and brows raised by 0.5 IOD; nose reference: square of
 * half-side 0.12 IOD on the nose bridge (points 28–29).
 */
export function auRegions(landmarks: Landmarks68): FaceRegion[] {
  checkLandmarks(landmarks)
  const lm = landmarks
  const iod = interocularDistance(lm)
  const eyesMid = centroid([...pts(lm, range(...LANDMARK_GROUPS.rightEye)), ...pts(lm, range(...LANDMARK_GROUPS.leftEye))])
  const chin = lm[8]!
  const ul = Math.hypot(eyesMid.x - chin.x, eyesMid.y - chin.y)
  const up: Point = { x: (eyesMid.x - chin.x) / ul, y: (eyesMid.y - chin.y) / ul }
  const down: Point = { x: -up.x, y: -up.y }

  const brow = (indices: number[]): Point[] => {
    const line = pts(lm, indices)
    return [...shift(line, up, 0.25 * iod), ...shift(line, down, 0.1 * iod).reverse()]
  }
  const region = (id: string, r: AuRegionName, side: FaceRegion['side'], polygon: Point[], reference = false): FaceRegion => ({
    id,
    region: r,
    side,
    reference,
    polygon,
  })
  const raisedBrows = shift(pts(lm, [26, 25, 24, 23, 22, 21, 20, 19, 18, 17]), up, 0.5 * iod)

  return [
    region('right-brow', 'brows', 'right', brow(range(...LANDMARK_GROUPS.rightBrow))),
    region('left-brow', 'brows', 'left', brow(range(...LANDMARK_GROUPS.leftBrow))),
    region('glabella', 'brows', 'centre', [...shift(pts(lm, [21, 22]), up, 0.25 * iod), lm[22]!, lm[27]!, lm[21]!]),
    region('right-eye', 'eyes', 'right', dilate(pts(lm, range(...LANDMARK_GROUPS.rightEye)), 1.5)),
    region('left-eye', 'eyes', 'left', dilate(pts(lm, range(...LANDMARK_GROUPS.leftEye)), 1.5)),
    region('nose', 'nose', 'centre', pts(lm, [27, 35, 34, 33, 32, 31])),
    region('right-cheek', 'cheeks', 'right', pts(lm, [40, 41, 1, 2, 3, 4, 48, 31])),
    region('left-cheek', 'cheeks', 'left', pts(lm, [47, 46, 15, 14, 13, 12, 54, 35])),
    region('lips', 'lips', 'centre', dilate(pts(lm, range(...LANDMARK_GROUPS.outerLips)), 1.2)),
    region('right-mouth-corner', 'lips', 'right', square(lm[48]!, 0.15 * iod, up)),
    region('left-mouth-corner', 'lips', 'left', square(lm[54]!, 0.15 * iod, up)),
    region('chin', 'chin', 'centre', pts(lm, [6, 7, 8, 9, 10, 55, 56, 57, 58, 59])),
    region('jaw', 'jaw', 'centre', pts(lm, [4, 5, 6, 7, 8, 9, 10, 11, 12, 54, 33, 48])),
    region('face', 'face', 'centre', [...pts(lm, range(...LANDMARK_GROUPS.jaw)), ...raisedBrows]),
    region('nose-reference', 'nose', 'centre', square(centroid([lm[28]!, lm[29]!]), 0.12 * iod, up), true),
  ]
}

/**
 * Rasterises a polygon into a 0/1 mask (pixel centres inside by the even–odd rule), for averaging
 * per-pixel signals over a region.
 */
export function polygonMask(polygon: readonly Point[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height)
  const n = polygon.length
  if (n < 3) return mask
  let minY = Infinity
  let maxY = -Infinity
  for (const p of polygon) {
    minY = Math.min(minY, p.y)
    maxY = Math.max(maxY, p.y)
  }
  const xs: number[] = []
  for (let y = Math.max(0, Math.floor(minY)); y <= Math.min(height - 1, Math.ceil(maxY)); y++) {
    xs.length = 0
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const a = polygon[i]!
      const b = polygon[j]!
      if (a.y > y !== b.y > y) xs.push(a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y))
    }
    xs.sort((p, q) => p - q)
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const x0 = Math.max(0, Math.ceil(xs[k]!))
      const x1 = Math.min(width - 1, Math.floor(xs[k + 1]!))
      for (let x = x0; x <= x1; x++) mask[y * width + x] = 1
    }
  }
  return mask
}
