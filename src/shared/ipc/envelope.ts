import { z } from 'zod'
import { ERROR_CODES, type StudioErrorShape } from './errors'

/** Version of the envelope shape; bump when the wire format changes. */
export const ENVELOPE_VERSION = 1

export type Envelope<T> = { v: typeof ENVELOPE_VERSION; ok: true; value: T } | { v: typeof ENVELOPE_VERSION; ok: false; error: StudioErrorShape }

export const ErrorShapeSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.unknown().optional(),
})

export const EnvelopeSchema = z.discriminatedUnion('ok', [
  z.object({ v: z.literal(ENVELOPE_VERSION), ok: z.literal(true), value: z.unknown() }),
  z.object({ v: z.literal(ENVELOPE_VERSION), ok: z.literal(false), error: ErrorShapeSchema }),
])

export function okEnvelope<T>(value: T): Envelope<T> {
  return { v: ENVELOPE_VERSION, ok: true, value }
}

export function errorEnvelope(error: StudioErrorShape): Envelope<never> {
  return { v: ENVELOPE_VERSION, ok: false, error }
}

/**
 * Header the studio's page sends with every bridge invoke. It is outside the CORS-safelisted set,
 * so a form or a no-cors fetch from another page cannot send it (docs/security.md).
 */
export const BRIDGE_CLIENT_HEADER = { name: 'x-studio-client', value: 'me-studio' } as const
