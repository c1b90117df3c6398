import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron'
import { errorEnvelope, REQUEST_CHANNELS } from '@shared/ipc'
import type { EventBus } from '../ipc/event-bus'
import type { HandlerRegistry } from '../ipc/registry'
import { isTrustedSender } from './security/sender'

/**
 * Binds every contract channel to `ipcMain.handle` behind one sender check, and forwards
 * bus events to the given windows. Handlers never see the raw IPC event.
 */
export function bindIpc(ipcMain: IpcMain, registry: HandlerRegistry, bus: EventBus, appEntry: string, targets: () => WebContents[]): () => void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, payload: unknown) => {
      if (!isTrustedSender(event.senderFrame, appEntry)) {
        return errorEnvelope({ code: 'unauthorized', message: `IPC from an untrusted frame refused (${channel})` })
      }
      return registry.invoke(channel, payload, { via: 'electron' })
    })
  }
  const unsubscribe = bus.subscribe((channel, payload) => {
    for (const contents of targets()) if (!contents.isDestroyed()) contents.send(channel, payload)
  })
  return () => {
    unsubscribe()
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel)
  }
}
