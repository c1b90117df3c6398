import { events, type EventChannelName, type EventPayload } from '@shared/ipc'

export type EventListener = (channel: EventChannelName, payload: unknown) => void

/**
 * Fan-out of contract events to every attached binder (Electron windows, bridge sockets, CLI).
 * Payloads are validated on emit so a malformed event fails loudly where it is produced.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>()

  emit<E extends EventChannelName>(channel: E, payload: EventPayload<E>): void {
    const checked = events[channel].parse(payload)
    for (const listener of this.listeners) listener(channel, checked)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
