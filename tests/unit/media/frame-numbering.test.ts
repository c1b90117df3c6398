import { describe, expect, it } from 'vitest'
import { framesSourceOf } from '../../../src/shared/domain/batch'
import { frameNumberAt, indexOfFrameNumber } from '../../../src/shared/domain/frames'

// A CASME II folder starting at img46.jpg with img49 dropped.
const NUMBERS = [46, 47, 48, 50, 51]

describe('frame numbers ↔ clip indices', () => {
  it('maps both ways, and knows a dropped frame is not in the clip', () => {
    expect(NUMBERS.map((n) => indexOfFrameNumber(NUMBERS, n))).toEqual([0, 1, 2, 3, 4])
    expect(indexOfFrameNumber(NUMBERS, 49)).toBeNull()
    expect(indexOfFrameNumber(NUMBERS, 0)).toBeNull()
    expect(indexOfFrameNumber([], 0)).toBeNull()
    expect(frameNumberAt(NUMBERS, 3)).toBe(50)
    expect(frameNumberAt(NUMBERS, 99)).toBe(51)
    expect(frameNumberAt([], 0)).toBeNull()
  })
})

describe('frames_source', () => {
  it('is coded only when onset, offset and (where read) the apex came from a coding', () => {
    expect(framesSourceOf(true, 'annotated')).toBe('coded')
    expect(framesSourceOf(true, null)).toBe('coded')
    expect(framesSourceOf(true, 'spotted')).toBe('suggested')
    expect(framesSourceOf(true, 'middle-frame')).toBe('suggested')
    expect(framesSourceOf(false, 'annotated')).toBe('suggested')
  })
})
