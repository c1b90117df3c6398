import { beforeAll, describe, expect, it, vi } from 'vitest'

// The preload runs against a mocked electron: we capture what it exposes and what it forwards.
const exposed: Record<string, unknown> = {}
const ipcRenderer = {
  invoke: vi.fn(async (channel: string, payload: unknown) => ({ channel, payload })),
  on: vi.fn(),
  off: vi.fn(),
}
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer,
}))

interface StudioApi {
  invoke(channel: string, payload: unknown): Promise<unknown>
  on(channel: string, listener: (payload: unknown) => void): void
  off(channel: string, listener: (payload: unknown) => void): void
}

let studio: StudioApi

beforeAll(async () => {
  await import('../../../src/preload/index')
  studio = exposed.studio as StudioApi
})

describe('preload', () => {
  it('exposes exactly one object, window.studio, with invoke/on/off and nothing else', () => {
    expect(Object.keys(exposed)).toEqual(['studio'])
    expect(Object.keys(studio).sort()).toEqual(['invoke', 'off', 'on'])
    expect(JSON.stringify(Object.values(exposed))).not.toContain('ipcRenderer')
  })

  it('forwards contract channels and refuses every other channel', async () => {
    await expect(studio.invoke('query:system.info', {})).resolves.toEqual({ channel: 'query:system.info', payload: {} })
    await expect(studio.invoke('evil:channel', {})).rejects.toThrow(/not allowed/)
    expect(ipcRenderer.invoke).toHaveBeenCalledTimes(1)
    expect(() => studio.on('event:not-in-contract', () => undefined)).toThrow(/not allowed/)
  })

  it('gives listeners the payload only, never the raw IPC event, and removes them', () => {
    const listener = vi.fn()
    studio.on('event:job.progress', listener)
    const [channel, handler] = ipcRenderer.on.mock.calls[0] as [string, (event: unknown, payload: unknown) => void]
    expect(channel).toBe('event:job.progress')
    handler({ sender: 'raw event with ipc internals' }, { done: 1 })
    expect(listener).toHaveBeenCalledWith({ done: 1 })
    studio.off('event:job.progress', listener)
    expect(ipcRenderer.off).toHaveBeenCalledWith('event:job.progress', handler)
  })
})
