import { createPinia, setActivePinia } from 'pinia'
import { createApp } from 'vue'
import { installTransport, type Transport } from '../../../src/renderer/src/transport'

export type Handler = (input: never) => unknown

/**
 * A transport answering from per-channel handlers (async, like the real ones), recording every
 * call; `emit` delivers an event to the store's listeners.
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
      await Promise.resolve()
      return (await handler(input as never)) as never
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
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload))
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
