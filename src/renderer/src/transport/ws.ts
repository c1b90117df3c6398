import { BRIDGE_CLIENT_HEADER, StudioError, type EventChannelName } from '@shared/ipc'
import type { Transport } from './types'
import { unwrapEnvelope } from './envelope'

type Listener = (payload: unknown) => void

/**
 * Browser-bridge transport: requests as HTTP POST, events over one WebSocket that
 * reconnects with backoff. The per-launch token travels as an HttpOnly cookie the bridge
 * set when the page was first opened, so this code never handles it.
 */
export function createBridgeTransport(origin: string = window.location.origin): Transport {
  const listeners = new Map<string, Set<Listener>>()
  const reconnectListeners = new Set<() => void>()
  let socket: WebSocket | null = null
  let retryMs = 250
  let connectedBefore = false

  function connect(): void {
    const url = origin.replace(/^http/, 'ws') + '/api/events'
    socket = new WebSocket(url)
    socket.onopen = () => {
      retryMs = 250
      if (connectedBefore) for (const listener of reconnectListeners) listener()
      connectedBefore = true
    }
    socket.onmessage = (message) => {
      const { channel, payload } = JSON.parse(String(message.data)) as { channel: string; payload: unknown }
      for (const listener of listeners.get(channel) ?? []) listener(payload)
    }
    socket.onclose = () => {
      socket = null
      setTimeout(connect, retryMs)
      retryMs = Math.min(retryMs * 2, 5000)
    }
  }
  connect()

  return {
    kind: 'bridge',
    async invoke(channel, input) {
      const response = await fetch(`${origin}/api/invoke/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [BRIDGE_CLIENT_HEADER.name]: BRIDGE_CLIENT_HEADER.value },
        credentials: 'same-origin',
        body: JSON.stringify(input ?? {}),
      })
      if (response.status === 401) throw new StudioError('unauthorized', 'The bridge refused the request: open the URL printed by `npm run serve`.')
      return unwrapEnvelope(await response.json()) as never
    },
    on(event: EventChannelName, listener) {
      const set = listeners.get(event) ?? new Set()
      set.add(listener as Listener)
      listeners.set(event, set)
      return () => set.delete(listener as Listener)
    },
    mediaUrl: (route) => `${origin}/media/${route}`,
    onReconnect(listener) {
      reconnectListeners.add(listener)
      return () => reconnectListeners.delete(listener)
    },
  }
}
