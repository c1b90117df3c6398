import { describe, expect, it } from 'vitest'
import { parseAus } from '@shared/domain/au'
import { EMPTY_ANNOTATION_FIELDS, deriveSampleStatus, validateAnnotation, type AnnotationFields } from '@shared/domain/annotation'

const fields = (patch: Partial<AnnotationFields>): AnnotationFields => ({ ...EMPTY_ANNOTATION_FIELDS, ...patch })

describe('annotation validation', () => {
  it('accepts a well-formed micro-expression', () => {
    expect(validateAnnotation(fields({ onset: 10, apex: 30, offset: 60 }), { fps: 200, firstFrame: 0, lastFrame: 99 })).toEqual([])
  })

  it('flags order, range, duration and a missing apex', () => {
    const codes = (f: AnnotationFields, fps = 200) => validateAnnotation(f, { fps, firstFrame: 0, lastFrame: 199 }).map((i) => i.code)
    expect(codes(fields({ onset: 50, apex: 40, offset: 60 }))).toEqual(['order'])
    expect(codes(fields({ onset: 10, apex: 20, offset: 250 }))).toEqual(['out-of-range', 'not-micro'])
    // 200 fps: 101 frames apart = 505 ms > 500; 100 apart = 500 ms is still micro
    expect(codes(fields({ onset: 0, apex: 50, offset: 101 }))).toEqual(['not-micro'])
    expect(codes(fields({ onset: 0, apex: 50, offset: 100 }))).toEqual([])
    expect(codes(fields({ onset: 0, offset: 20 }))).toEqual(['apex-missing'])
    expect(codes(fields({ apex: 5 }))).toEqual(['incomplete'])
    expect(codes(fields({ aus: parseAus('12 or 14').value }))).toEqual(['ambiguous-aus'])
  })
})

describe('sample status', () => {
  const coder = (f: Partial<AnnotationFields>) => ({ adjudicated: false, fields: fields(f) })
  it('derives uncoded / coded / disputed / adjudicated', () => {
    expect(deriveSampleStatus([])).toBe('uncoded')
    expect(deriveSampleStatus([coder({})])).toBe('uncoded')
    expect(deriveSampleStatus([coder({ emotion: 'happiness' })])).toBe('coded')
    expect(deriveSampleStatus([coder({ onset: 10, emotion: 'happiness' }), coder({ onset: 12, emotion: 'happiness' })])).toBe('coded')
    expect(deriveSampleStatus([coder({ onset: 10 }), coder({ onset: 20 })])).toBe('disputed')
    expect(deriveSampleStatus([coder({ aus: parseAus('L12').value }), coder({ aus: parseAus('R12').value })])).toBe('disputed')
    expect(deriveSampleStatus([coder({ onset: 10 }), coder({ onset: 20 }), { adjudicated: true, fields: fields({ onset: 15 }) }])).toBe('adjudicated')
  })
})
