import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { GrayImage } from '../../../src/main/vision/image'
import {
  alignClip,
  alignmentTransform,
  applySimilarity,
  canonicalEyes,
  CROP_PRESETS,
  invertSimilarity,
  similarityFromPairs,
  warpSimilarity,
} from '../../../src/main/vision/face/align'
import { loadFaceDetector, type FaceDetector } from '../../../src/main/vision/face/detector'
import { eyeCentres, interocularDistance, type Landmarks68 } from '../../../src/main/vision/face/landmarks'
import { auRegions, polygonMask } from '../../../src/main/vision/face/regions'

const ASTRONAUT = new URL('../../../resources/faces/astronaut.png', import.meta.url).pathname

async function grayAstronaut(): Promise<GrayImage> {
  const { data, info } = await sharp(ASTRONAUT).greyscale().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: Float32Array.from(data) }
}

function correlation(a: Float32Array, b: Float32Array): number {
  let ma = 0
  let mb = 0
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!
    mb += b[i]!
  }
  ma /= a.length
  mb /= b.length
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb)
    saa += (a[i]! - ma) ** 2
    sbb += (b[i]! - mb) ** 2
  }
  return sab / Math.sqrt(saa * sbb)
}

describe('similarity transforms', () => {
  it('maps the two source points exactly onto the targets and inverts', () => {
    const t = similarityFromPairs({ x: 10, y: 20 }, { x: 50, y: 35 }, { x: 33.6, y: 42.56 }, { x: 78.4, y: 42.56 })
    const p = applySimilarity(t, { x: 10, y: 20 })
    const q = applySimilarity(t, { x: 50, y: 35 })
    expect(p.x).toBeCloseTo(33.6, 10)
    expect(p.y).toBeCloseTo(42.56, 10)
    expect(q.x).toBeCloseTo(78.4, 10)
    expect(q.y).toBeCloseTo(42.56, 10)
    const back = applySimilarity(invertSimilarity(t), q)
    expect(back.x).toBeCloseTo(50, 10)
    expect(back.y).toBeCloseTo(35, 10)
  })

  it('presets match the papers', () => {
    expect(CROP_PRESETS).toMatchObject({ 'off-tanet': 112, ststnet: 28, cbamnet: 64, 'ms-3d-resnet': 134 })
    const eyes = canonicalEyes({ size: 'cbamnet' })
    expect(eyes.left.x - eyes.right.x).toBeCloseTo(0.4 * 64, 10)
  })
})

describe('face detection, landmarks and alignment (face-api, wasm)', () => {
  let detector: FaceDetector
  let img: GrayImage
  let lm: Landmarks68

  beforeAll(async () => {
    detector = await loadFaceDetector()
    img = await grayAstronaut()
    const face = await detector.detect(img)
    expect(face).not.toBeNull()
    lm = face!.landmarks
  }, 60_000)

  it('finds the astronaut face with 68 landmarks in anatomical order', () => {
    expect(detector.backend).toBe('wasm')
    expect(lm).toHaveLength(68)
    const { right, left } = eyeCentres(lm)
    expect(right.x).toBeLessThan(left.x) // subject's right eye is on the image's left
    expect(lm[8]!.y).toBeGreaterThan(right.y) // chin below the eyes
    expect(interocularDistance(lm)).toBeGreaterThan(20)
  })

  it('on a rotated (20°) and scaled (0.8×) face, the eye centres follow the known transform and alignment maps them to the canonical positions', async () => {
    const angle = (20 * Math.PI) / 180
    const s = 0.8
    const c = { x: img.width / 2, y: img.height / 2 }
    const a = s * Math.cos(angle)
    const b = s * Math.sin(angle)
    const known = { a, b, tx: c.x - (a * c.x - b * c.y), ty: c.y - (b * c.x + a * c.y) }
    const rotated = warpSimilarity(img, known, img.width)
    const face = await detector.detect(rotated)
    expect(face).not.toBeNull()
    const eyes = eyeCentres(face!.landmarks)
    const expected = eyeCentres(lm)
    const iod = interocularDistance(face!.landmarks)
    for (const k of ['right', 'left'] as const) {
      const e = applySimilarity(known, expected[k])
      // Landmark detection is not exactly equivariant: within 8 % of the inter-ocular distance.
      expect(Math.hypot(eyes[k].x - e.x, eyes[k].y - e.y)).toBeLessThan(0.08 * iod)
    }
    const t = alignmentTransform(face!.landmarks, { size: 'off-tanet' })
    const canon = canonicalEyes({ size: 'off-tanet' })
    for (const k of ['right', 'left'] as const) {
      const p = applySimilarity(t, eyes[k])
      expect(p.x).toBeCloseTo(canon[k].x, 6)
      expect(p.y).toBeCloseTo(canon[k].y, 6)
    }
    // Both alignments give the same crop up to landmark noise.
    const fromOriginal = alignClip([img], lm, { size: 'off-tanet' }).frames[0]!
    const fromRotated = alignClip([rotated], face!.landmarks, { size: 'off-tanet' }).frames[0]!
    expect(fromOriginal.width).toBe(112)
    expect(correlation(fromOriginal.data, fromRotated.data)).toBeGreaterThan(0.9)
  }, 30_000)

  it('auRegions gives catalogue-named polygons placed anatomically', () => {
    const regions = auRegions(lm)
    const byId = new Map(regions.map((r) => [r.id, r]))
    for (const id of [
      'left-brow',
      'right-brow',
      'glabella',
      'left-eye',
      'right-eye',
      'nose',
      'lips',
      'left-mouth-corner',
      'right-mouth-corner',
      'nose-reference',
    ]) {
      expect(byId.has(id)).toBe(true)
    }
    expect(regions.filter((r) => r.reference).map((r) => r.id)).toEqual(['nose-reference'])
    const centreY = (id: string) => {
      const m = polygonMask(byId.get(id)!.polygon, img.width, img.height)
      let sy = 0
      let n = 0
      for (let i = 0; i < m.length; i++) {
        if (!m[i]) continue
        sy += Math.floor(i / img.width)
        n++
      }
      expect(n).toBeGreaterThan(10)
      return sy / n
    }
    expect(centreY('left-brow')).toBeLessThan(centreY('left-eye'))
    expect(centreY('left-eye')).toBeLessThan(centreY('nose-reference') + 1e-9)
    expect(centreY('nose')).toBeLessThan(centreY('lips'))
    expect(centreY('lips')).toBeLessThan(centreY('chin'))
  })
})
