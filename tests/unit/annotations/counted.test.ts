import { describe, expect, it } from 'vitest'
import { counted } from '../../../src/shared/plural'

describe('counted', () => {
  it('puts the noun in the number the count needs', () => {
    expect([0, 1, 2].map((n) => counted(n, 'coding'))).toEqual(['0 codings', '1 coding', '2 codings'])
    expect(counted(1, 'sample')).toBe('1 sample')
    expect(counted(3, 'analysis', 'analyses')).toBe('3 analyses')
  })
})
