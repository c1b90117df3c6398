import { describe, expect, it } from 'vitest'
import { createFlow } from '../../../src/main/vision/image'
import { opticalStrain } from '../../../src/main/vision/strain'

/** u = a·x + b·y, v = c·x + d·y: constant Jacobian [[a, b], [c, d]]. */
function linearFlow(w: number, h: number, a: number, b: number, c: number, d: number) {
  const f = createFlow(w, h)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      f.u[y * w + x] = a * x + b * y
      f.v[y * w + x] = c * x + d * y
    }
  }
  return f
}

describe('opticalStrain', () => {
  const [a, b, c, d] = [0.03, -0.02, 0.05, 0.01]
  const flow = linearFlow(12, 10, a, b, c, d)

  it('standard: √(u_x² + v_y² + ½(u_y + v_x)²) of a linear field, exact inside', () => {
    const s = opticalStrain(flow, { variant: 'standard' })
    const expected = Math.sqrt(a * a + d * d + 0.5 * (b + c) ** 2)
    for (let y = 1; y < 9; y++) for (let x = 1; x < 11; x++) expect(s.data[y * 12 + x]).toBeCloseTo(expected, 6)
  })

  it("Off-TANet's variant: √(u_x² + u_y² + ½(v_x + u_y)²)", () => {
    const s = opticalStrain(flow, { variant: 'off-tanet' })
    const expected = Math.sqrt(a * a + b * b + 0.5 * (c + b) ** 2)
    for (let y = 1; y < 9; y++) for (let x = 1; x < 11; x++) expect(s.data[y * 12 + x]).toBeCloseTo(expected, 6)
  })

  it('is zero for a translation and for a pure rotation in the standard variant', () => {
    const t = createFlow(6, 6)
    t.u.fill(2)
    t.v.fill(-1)
    expect(opticalStrain(t).data.every((v) => v === 0)).toBe(true)
    const rot = linearFlow(8, 8, 0, -0.1, 0.1, 0) // infinitesimal rotation: u_y = −v_x
    const s = opticalStrain(rot)
    expect(s.data[3 * 8 + 3]).toBeCloseTo(0, 7)
  })
})
