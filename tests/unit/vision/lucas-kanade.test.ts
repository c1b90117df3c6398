import { beforeAll, describe, expect, it } from 'vitest'
import { endPointError, type GrayImage } from '../../../src/main/vision/image'
import { lucasKanadeFlow } from '../../../src/main/vision/lucas-kanade'
import { interiorMask, loadFace, makePair, translationFlow } from './synthetic'

describe('lucasKanadeFlow', () => {
  let face: GrayImage
  beforeAll(async () => {
    face = await loadFace(96, 96)
  })
  const mask = interiorMask(96, 96, 10)

  it('recovers a sub-pixel translation', () => {
    const truth = translationFlow(96, 96, 0.6, -0.4)
    const { i0, i1 } = makePair(face, truth)
    expect(endPointError(lucasKanadeFlow(i0, i1), truth, mask)).toBeLessThan(0.1)
  })

  it('recovers a multi-pixel translation through the pyramid', () => {
    const truth = translationFlow(96, 96, 3.2, 2.1)
    const { i0, i1 } = makePair(face, truth)
    expect(endPointError(lucasKanadeFlow(i0, i1, { levels: 3, windowSize: 11 }), truth, mask)).toBeLessThan(0.2)
  })

  it('gives zero flow on identical frames and rejects even windows', () => {
    const flow = lucasKanadeFlow(face, face)
    expect(flow.u.every((x) => x === 0) && flow.v.every((x) => x === 0)).toBe(true)
    expect(() => lucasKanadeFlow(face, face, { windowSize: 8 })).toThrow(/odd/)
  })
})
