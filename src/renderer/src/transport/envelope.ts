import { EnvelopeSchema, StudioError } from '@shared/ipc'

/** Validates a wire envelope and unwraps it, turning failures into StudioErrors with their codes. */
export function unwrapEnvelope(raw: unknown): unknown {
  const parsed = EnvelopeSchema.safeParse(raw)
  if (!parsed.success) throw new StudioError('internal', 'The studio answered with a malformed envelope')
  const envelope = parsed.data
  if (!envelope.ok) throw new StudioError(envelope.error.code, envelope.error.message, envelope.error.details)
  return envelope.value
}
