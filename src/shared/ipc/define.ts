import type { z } from 'zod'

/** A request/response channel: `command:` changes state, `query:` only reads. */
export interface RequestChannel<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I
  readonly output: O
}

export function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): RequestChannel<I, O> {
  return { input, output }
}

export type CommandName = `command:${string}`
export type QueryName = `query:${string}`
export type EventName = `event:${string}`
export type RequestName = CommandName | QueryName
