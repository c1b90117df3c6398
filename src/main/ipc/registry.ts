import { ZodError, type z } from 'zod'
import {
  StudioError,
  errorEnvelope,
  isStudioError,
  okEnvelope,
  requests,
  type Envelope,
  type InputOf,
  type OutputOf,
  type RequestChannelName,
} from '@shared/ipc'

export interface HandlerContext {
  /** Which binder delivered the request. */
  readonly via: 'electron' | 'bridge' | 'test'
}

/** Input after zod parsing (defaults applied). */
export type ParsedInput<C extends RequestChannelName> = z.output<(typeof requests)[C]['input']>

export type Handler<C extends RequestChannelName> = (
  input: ParsedInput<C>,
  ctx: HandlerContext,
) => Promise<OutputOf<C>> | OutputOf<C>

/**
 * One registry of handlers, bound twice (Electron IPC and the browser bridge).
 * `invoke` validates input and output against the contract and always resolves to an
 * envelope, so no binder can leak a raw exception or an unvalidated payload.
 */
export class HandlerRegistry {
  private readonly handlers = new Map<RequestChannelName, Handler<RequestChannelName>>()

  handle<C extends RequestChannelName>(channel: C, handler: Handler<C>): this {
    if (this.handlers.has(channel)) throw new Error(`handler for ${channel} registered twice`)
    this.handlers.set(channel, handler as unknown as Handler<RequestChannelName>)
    return this
  }

  has(channel: string): boolean {
    return this.handlers.has(channel as RequestChannelName)
  }

  channels(): RequestChannelName[] {
    return [...this.handlers.keys()]
  }

  async invoke(channel: string, rawInput: unknown, ctx: HandlerContext): Promise<Envelope<unknown>> {
    const handler = this.handlers.get(channel as RequestChannelName)
    if (!handler || !Object.hasOwn(requests, channel)) {
      return errorEnvelope({ code: 'not-found', message: `Unknown channel: ${channel}` })
    }
    const schema = requests[channel as RequestChannelName]
    const parsed = schema.input.safeParse(rawInput ?? {})
    if (!parsed.success) {
      return errorEnvelope({
        code: 'invalid-input',
        message: `Invalid input for ${channel}: ${formatZodIssues(parsed.error)}`,
        details: parsed.error.issues,
      })
    }
    try {
      const value = await handler(parsed.data as never, ctx)
      return okEnvelope(schema.output.parse(value))
    } catch (error) {
      return errorEnvelope(toErrorShape(error))
    }
  }
}

/** Typed convenience for in-process callers (CLI, tests): unwraps the envelope or throws a StudioError. */
export async function call<C extends RequestChannelName>(
  registry: HandlerRegistry,
  channel: C,
  input: InputOf<C>,
  ctx: HandlerContext = { via: 'test' },
): Promise<OutputOf<C>> {
  const envelope = await registry.invoke(channel, input, ctx)
  if (!envelope.ok) throw new StudioError(envelope.error.code, envelope.error.message, envelope.error.details)
  return envelope.value as OutputOf<C>
}

export function toErrorShape(error: unknown) {
  if (isStudioError(error)) return error.toShape()
  if (error instanceof ZodError) {
    return { code: 'internal' as const, message: `Handler produced an invalid result: ${formatZodIssues(error)}` }
  }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'internal' as const, message }
}

function formatZodIssues(error: ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
}
