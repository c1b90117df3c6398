import type { Transport } from './types'
import { unwrapEnvelope } from './envelope'

/** Electron transport over the preload's `window.studio` (invoke/on/off only). */
export function createIpcTransport(api: StudioPreloadApi): Transport {
  return {
    kind: 'ipc',
    async invoke(channel, input) {
      return unwrapEnvelope(await api.invoke(channel, input)) as never
    },
    on(event, listener) {
      const handler = (payload: unknown) => listener(payload as never)
      api.on(event, handler)
      return () => api.off(event, handler)
    },
    mediaUrl: (route) => `me-media://media/${route}`,
    onReconnect: () => () => undefined,
  }
}
