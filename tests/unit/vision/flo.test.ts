import { describe, expect, it } from 'vitest'
import { FLO_MAGIC, readFlo, writeFlo } from '../../../src/main/vision/flo'
import { createFlow } from '../../../src/main/vision/image'

describe('Middlebury .flo', () => {
  const flow = createFlow(5, 3)
  for (let i = 0; i < 15; i++) {
    flow.u[i] = i * 0.37 - 2
    flow.v[i] = -i * 1.5e-3 + 1e6
  }

  it('writes the PIEH header and round-trips values and bytes exactly', () => {
    const bytes = writeFlo(flow)
    expect(bytes.byteLength).toBe(12 + 8 * 15)
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('PIEH')
    const back = readFlo(bytes)
    expect(back.width).toBe(5)
    expect(back.height).toBe(3)
    expect(Array.from(back.u)).toEqual(Array.from(flow.u))
    expect(Array.from(back.v)).toEqual(Array.from(flow.v))
    expect(Array.from(writeFlo(back))).toEqual(Array.from(bytes))
    // Also from an ArrayBuffer and from an unaligned view.
    const padded = new Uint8Array(bytes.byteLength + 1)
    padded.set(bytes, 1)
    expect(Array.from(readFlo(padded.subarray(1)).u)).toEqual(Array.from(flow.u))
    expect(readFlo(bytes.slice().buffer).height).toBe(3)
  })

  it('interleaves u and v little-endian', () => {
    const view = new DataView(writeFlo(flow).buffer)
    expect(view.getFloat32(0, true)).toBe(FLO_MAGIC)
    expect(view.getFloat32(12, true)).toBe(flow.u[0])
    expect(view.getFloat32(16, true)).toBe(flow.v[0])
  })

  it('rejects bad magic and truncated files', () => {
    const bytes = writeFlo(flow)
    const bad = bytes.slice()
    bad[0] = 0
    expect(() => readFlo(bad)).toThrow(/magic/)
    expect(() => readFlo(bytes.subarray(0, 40))).toThrow(/truncated/)
    expect(() => readFlo(bytes.subarray(0, 8))).toThrow(/header/)
  })
})
