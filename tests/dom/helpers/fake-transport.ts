import { createPinia, setActivePinia } from 'pinia'
import { createApp } from 'vue'
import { events, isEventChannel, isRequestChannel, requests } from '@shared/ipc'
import { installTransport, type Transport } from '../../../src/renderer/src/transport'

export type Handler = (input: never) => unknown

/**
 * A transport answering from per-channel handlers (async, like the real ones), recording every
 * call; `emit` delivers an event to the store's listeners. Inputs, answers and events are checked
 * against the contract's schemas, as the real binders do, so a store cannot be tested against
 * data the back end could never send.
 */
export function fakeTransport(handlers: Record<string, Handler>) {
  const calls: { channel: string; input: unknown }[] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const reconnectListeners = new Set<() => void>()
  const transport: Transport = {
    kind: 'bridge',
    async invoke(channel, input) {
      calls.push({ channel, input })
      const handler = handlers[channel]
      if (!handler) throw new Error(`unexpected call ${channel}`)
      if (!isRequestChannel(channel)) throw new Error(`not a contract channel: ${channel}`)
      const schemas = requests[channel]
      const parsedInput = schemas.input.safeParse(input ?? {})
      if (!parsedInput.success) throw new Error(`invalid input for ${channel}: ${parsedInput.error.message}`)
      await Promise.resolve()
      const answer = await handler(parsedInput.data as never)
      const parsed = schemas.output.safeParse(answer)
      if (!parsed.success) throw new Error(`fake answer for ${channel} does not match its output schema: ${parsed.error.message}`)
      return parsed.data as never
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as (payload: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(listener as (payload: unknown) => void)
    },
    mediaUrl: (route) => `/media/${route}`,
    onReconnect(listener) {
      reconnectListeners.add(listener)
      return () => reconnectListeners.delete(listener)
    },
  }
  const emit = (event: string, payload: unknown) => {
    if (!isEventChannel(event)) throw new Error(`not a contract event: ${event}`)
    const parsed = events[event].safeParse(payload)
    if (!parsed.success) throw new Error(`fake ${event} does not match its schema: ${parsed.error.message}`)
    listeners.get(event)?.forEach((l) => l(parsed.data))
  }
  /** The event stream came back after a drop. */
  const reconnect = () => reconnectListeners.forEach((l) => l())
  return { transport, calls, emit, reconnect }
}

/** Installs the transport and a fresh Pinia, as main.ts does. */
export function installFake(transport: Transport): void {
  const app = createApp({})
  installTransport(app, transport)
  const pinia = createPinia()
  app.use(pinia)
  setActivePinia(pinia)
}
