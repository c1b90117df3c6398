import { inject, type App, type InjectionKey } from 'vue'
import { createIpcTransport } from './ipc'
import type { Transport } from './types'
import { createBridgeTransport } from './ws'

export type { Transport } from './types'

export const TRANSPORT_KEY: InjectionKey<Transport> = Symbol('transport')

/** Electron when the preload exposed `window.studio`, the browser bridge otherwise. */
export function detectTransport(): Transport {
  return window.studio ? createIpcTransport(window.studio) : createBridgeTransport()
}

let current: Transport | null = null

export function installTransport(app: App, transport: Transport): void {
  current = transport
  app.provide(TRANSPORT_KEY, transport)
}

/** For stores: the transport installed at start-up (components use stores, not this). */
export function useTransport(): Transport {
  const injected = inject(TRANSPORT_KEY, null)
  const transport = injected ?? current
  if (!transport) throw new Error('No transport installed')
  return transport
}
