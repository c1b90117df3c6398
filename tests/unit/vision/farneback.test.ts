import { describe, expect, it } from 'vitest'
import { farnebackFlow } from '../../../src/main/vision/farneback'
import { loadFace, makePair, translationFlow } from './synthetic'

describe('farnebackFlow (opencv-wasm)', () => {
  it('runs and agrees in direction and size with a known translation', async () => {
    const face = await loadFace(96, 96)
    const { i0, i1 } = makePair(face, translationFlow(96, 96, 2, 1))
    const flow = farnebackFlow(i0, i1)
    let su = 0
    let sv = 0
    let n = 0
    for (let y = 12; y < 84; y++) {
      for (let x = 12; x < 84; x++) {
        su += flow.u[y * 96 + x]!
        sv += flow.v[y * 96 + x]!
        n++
      }
    }
    const mu = su / n
    const mv = sv / n
    const cos = (mu * 2 + mv * 1) / (Math.hypot(mu, mv) * Math.hypot(2, 1))
    expect(cos).toBeGreaterThan(0.98)
    expect(Math.hypot(mu, mv)).toBeGreaterThan(0.7 * Math.hypot(2, 1))
    expect(Math.hypot(mu, mv)).toBeLessThan(1.3 * Math.hypot(2, 1))
  })
})
