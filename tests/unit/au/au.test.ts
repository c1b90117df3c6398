import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { auCatalogue, AU_INTENSITIES, AU_SIDES, auInfo, formatAus, parseAus, searchAus, type AuCode, type AuSet } from '@shared/domain/au'

describe('AU catalogue', () => {
  it('holds every main FACS AU with name, muscular basis and region', () => {
    const main = [1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 22, 23, 24, 25, 26, 27, 28, 38, 39, 43, 45, 46]
    for (const au of main) {
      const info = auInfo(au)
      expect(info, `AU ${au}`).toBeDefined()
      expect(info!.kind).toBe('action-unit')
      expect(info!.muscularBasis).toBeTruthy()
    }
    expect(auInfo(12)!.name).toBe('Lip corner puller')
    expect(auInfo(12)!.muscularBasis).toBe('Zygomaticus major')
    expect(auInfo(4)!.region).toBe('brows')
    expect(auInfo(3)).toBeUndefined()
  })

  it('includes head and eye position codes', () => {
    for (const au of [51, 52, 53, 54, 55, 56, 57, 58]) expect(auInfo(au)!.kind).toBe('head-position')
    for (const au of [61, 62, 63, 64]) expect(auInfo(au)!.kind).toBe('eye-position')
    expect(auCatalogue().codes.length).toBeGreaterThan(60)
  })

  it('searches by number, AU prefix, name and muscle', () => {
    expect(searchAus('12').map((c) => c.au)).toEqual([12])
    expect(searchAus('AU 4').map((c) => c.au)).toEqual([4])
    expect(searchAus('dimpler').map((c) => c.au)).toEqual([14])
    expect(searchAus('zygomaticus').map((c) => c.au)).toEqual([11, 12])
  })
})

describe('AU strings', () => {
  it('parses CASME II, SAMM and CAS(ME)³ cells', () => {
    expect(parseAus('1+2+R12').value).toEqual({
      alternatives: [
        [
          { au: 1, side: null, intensity: null },
          { au: 2, side: null, intensity: null },
          { au: 12, side: 'R', intensity: null },
        ],
      ],
    })
    expect(parseAus('L4').value.alternatives[0]).toEqual([{ au: 4, side: 'L', intensity: null }])
    expect(parseAus('R14A').value.alternatives[0]).toEqual([{ au: 14, side: 'R', intensity: 'A' }])
    expect(parseAus('T17+B24').value.alternatives[0]!.map((c) => c.side)).toEqual(['T', 'B'])
    expect(parseAus(12).value.alternatives[0]).toEqual([{ au: 12, side: null, intensity: null }])
  })

  it('normalises lenient spellings to the canonical form', () => {
    expect(formatAus(parseAus(' AU1 + au2 + r12b ').value)).toBe('1+2+R12B')
    expect(formatAus(parseAus('4, 7').value)).toBe('4+7')
    expect(formatAus(parseAus('04+7(C)').value)).toBe('4+7C')
  })

  it('treats empty, "/" and "-" as no AUs', () => {
    for (const s of ['', '/', '-', null, undefined]) {
      const r = parseAus(s)
      expect(r.value).toEqual({ alternatives: [[]] })
      expect(r.problems).toEqual([])
    }
  })

  it('reports "or" alternatives and keeps them', () => {
    const r = parseAus('R14 or R24')
    expect(r.ambiguous).toBe(true)
    expect(r.value.alternatives).toHaveLength(2)
    expect(r.problems.join()).toMatch(/alternatives/)
    expect(formatAus(r.value)).toBe('R14 or R24')
  })

  it('reports tokens that are not AU codes and AUs outside the catalogue', () => {
    const r = parseAus('12+foo+3')
    expect(r.value.alternatives[0]!.map((c) => c.au)).toEqual([12, 3])
    expect(r.problems).toEqual(['not an AU code: "foo"', 'AU 3 is not in the FACS catalogue'])
  })

  const code = fc.record({
    au: fc.integer({ min: 0, max: 99 }),
    side: fc.constantFrom(null, ...AU_SIDES),
    intensity: fc.constantFrom(null, ...AU_INTENSITIES),
  }) as fc.Arbitrary<AuCode>
  const auSet: fc.Arbitrary<AuSet> = fc.oneof(
    fc.array(code, { maxLength: 6 }).map((c) => ({ alternatives: [c] })),
    fc.array(fc.array(code, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 3 }).map((alternatives) => ({ alternatives })),
  )

  it('round-trips structure → string → structure (property)', () => {
    fc.assert(fc.property(auSet, (set) => {
        expect(parseAus(formatAus(set)).value).toEqual(set)
      }), { numRuns: 500 })
  })

  it('formats canonical strings back identically (property)', () => {
    fc.assert(
      fc.property(auSet, (set) => {
        const text = formatAus(set)
        expect(formatAus(parseAus(text).value)).toBe(text)
      }),
      { numRuns: 500 },
    )
  })
})
