import { describe, expect, it } from 'vitest'
import { MAGNIFY_PARAMS, MagnifyRequestSchema, SPOT_PARAMS, SpotRequestSchema, paramRange } from '@shared/ipc'
import { magnifyCommand } from '../../../src/main/cli/commands/magnify.command'
import { spotCommand } from '../../../src/main/cli/commands/spot.command'

describe('one place for parameters: the schemas and the CLI help come from the same table', () => {
  it('the help states every default and limit the schema applies', () => {
    for (const param of Object.values(MAGNIFY_PARAMS)) expect(magnifyCommand.help).toContain(`${param.describe} (${paramRange(param)})`)
    for (const param of Object.values(SPOT_PARAMS)) expect(spotCommand.help).toContain(paramRange(param))
    expect(magnifyCommand.help).toContain('(default 10; 0 ≤ x ≤ 100)')
  })

  it('the schema fills the defaults and enforces the limits of the table', () => {
    const parsed = MagnifyRequestSchema.parse({ clipPath: '/c', start: 0, count: 2 })
    expect(parsed).toMatchObject({ alpha: 10, levels: 6, lambdaC: 16, chromaAttenuation: 0.1, filter: { kind: 'iir', r1: 0.4, r2: 0.05 }, crop: null })
    expect(MagnifyRequestSchema.safeParse({ clipPath: '/c', start: 0, count: 2, alpha: 100 }).success).toBe(true)
    expect(MagnifyRequestSchema.safeParse({ clipPath: '/c', start: 0, count: 2, alpha: 101 }).success).toBe(false)
    expect(MagnifyRequestSchema.safeParse({ clipPath: '/c', start: 0, count: 401 }).success).toBe(false)
    expect(SpotRequestSchema.parse({ clipPath: '/c', start: 0, count: 3 })).toMatchObject({ side: 128, temporalSigma: 1.5, face: true, signal: 'farneback' })
    expect(MagnifyRequestSchema.shape.alpha.description).toBe(MAGNIFY_PARAMS.alpha.describe)
  })
})
