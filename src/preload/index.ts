import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '@shared/ipc'

// The only surface the page gets: invoke/on/off over an allow-list derived from the contract.
// The raw IpcRendererEvent never reaches the page.
const requestChannels = new Set<string>(REQUEST_CHANNELS)
const eventChannels = new Set<string>(EVENT_CHANNELS)
type Listener = (payload: unknown) => void
const wrapped = new Map<string, Map<Listener, (event: IpcRendererEvent, payload: unknown) => void>>()

const studio = {
  invoke(channel: string, payload: unknown): Promise<unknown> {
    if (!requestChannels.has(channel)) return Promise.reject(new Error(`Channel not allowed: ${channel}`))
    return ipcRenderer.invoke(channel, payload)
  },
  on(channel: string, listener: Listener): void {
    if (!eventChannels.has(channel)) throw new Error(`Event not allowed: ${channel}`)
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload)
    const forChannel = wrapped.get(channel) ?? new Map()
    forChannel.set(listener, handler)
    wrapped.set(channel, forChannel)
    ipcRenderer.on(channel, handler)
  },
  off(channel: string, listener: Listener): void {
    const handler = wrapped.get(channel)?.get(listener)
    if (!handler) return
    ipcRenderer.off(channel, handler)
    wrapped.get(channel)?.delete(listener)
  },
}

contextBridge.exposeInMainWorld('studio', studio)
export type PreloadApi = typeof studio
