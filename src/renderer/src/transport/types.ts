import type { EventChannelName, EventPayload, InputOf, OutputOf, RequestChannelName } from '@shared/ipc'

/**
 * The renderer's only way to reach the studio's services. Two implementations:
 * Electron IPC through the preload, and HTTP/WebSocket through the browser bridge.
 * Results are unwrapped from the envelope; failures reject with a StudioError.
 */
export interface Transport {
  readonly kind: 'ipc' | 'bridge'
  invoke<C extends RequestChannelName>(channel: C, input: InputOf<C>): Promise<OutputOf<C>>
  on<E extends EventChannelName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** URL of a media route (`file/…`, `frame/…`) for <img>/<video> elements. */
  mediaUrl(route: string): string
  /**
   * Called when the event stream came back after a drop (events sent meanwhile are lost, so
   * listeners re-query what they wait for). Electron IPC never drops: its transport never calls it.
   */
  onReconnect(listener: () => void): () => void
}
