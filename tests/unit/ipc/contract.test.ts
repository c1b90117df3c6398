import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { REQUEST_CHANNELS, type Envelope } from '@shared/ipc'
import { startBridge, type Bridge } from '../../../src/main/bridge/server'
import { bindIpc } from '../../../src/main/electron/ipc-binder'
import { APP_ENTRY } from '../../../src/main/electron/protocols'
import { createStudio, type Studio } from '../../../src/main/studio'

// `electron` is never loaded in this suite: the binder receives ipcMain as a parameter.
vi.mock('electron', () => ({}))

interface ContractClient {
  invoke(channel: string, payload: unknown): Promise<Envelope<unknown>>
  nextEvent(channel: string): Promise<unknown>
}

function newStudio(): Studio {
  const dir = mkdtempSync(join(tmpdir(), 'me-contract-'))
  return createStudio({ host: 'bridge', userDataDir: dir, resourcesDir: join(process.cwd(), 'resources') })
}

/** The same expectations, run against each binder. */
function contractSuite(name: string, setup: () => Promise<{ client: ContractClient; studio: Studio; teardown: () => Promise<void> }>) {
  describe(`contract via ${name}`, () => {
    let client: ContractClient
    let studio: Studio
    let teardown: () => Promise<void>
    beforeAll(async () => {
      ;({ client, studio, teardown } = await setup())
    })
    afterAll(() => teardown())

    it('answers a query with an ok envelope', async () => {
      const envelope = await client.invoke('query:system.ping', { echo: 'hello' })
      expect(envelope).toEqual({ v: 1, ok: true, value: { pong: 'hello' } })
    })

    it('rejects invalid input with invalid-input and the offending path', async () => {
      const envelope = await client.invoke('query:system.ping', { echo: 42 })
      expect(envelope.ok).toBe(false)
      if (!envelope.ok) {
        expect(envelope.error.code).toBe('invalid-input')
        expect(envelope.error.message).toContain('echo')
      }
    })

    it('reports real backend facts through system.info', async () => {
      const envelope = await client.invoke('query:system.info', {})
      expect(envelope.ok).toBe(true)
      if (envelope.ok) {
        const info = envelope.value as { onnxruntime: { providers: { name: string }[] }; ffmpeg: { found: boolean } }
        expect(info.onnxruntime.providers.map((p) => p.name)).toContain('cpu')
        expect(typeof info.ffmpeg.found).toBe('boolean')
      }
    })

    it('runs the job protocol: progress, item errors, done, cancel', async () => {
      const done = client.nextEvent('event:job.done')
      const { jobId } = studio.jobs.start('test', async (ctx) => {
        ctx.progress(1, 3)
        ctx.itemError('b', { code: 'media/corrupt', message: 'bad frame' })
        ctx.progress(3, 3)
        return 'finished'
      })
      expect(await done).toMatchObject({ jobId, state: 'completed', done: 3, total: 3, itemErrors: 1 })

      const cancelled = client.nextEvent('event:job.done')
      const started = studio.jobs.start('slow', async (ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()))
        ctx.throwIfCancelled()
      })
      const envelope = await client.invoke('command:job.cancel', { jobId: started.jobId })
      expect(envelope).toEqual({ v: 1, ok: true, value: { cancelled: true } })
      expect(await cancelled).toMatchObject({ jobId: started.jobId, state: 'cancelled' })
    })

    it('answers unknown channels with not-found', async () => {
      const envelope = await client.invoke('query:does.not-exist', {})
      expect(envelope.ok).toBe(false)
      if (!envelope.ok) expect(envelope.error.code).toBe('not-found')
    })
  })
}

contractSuite('Electron ipcMain binder', async () => {
  const studio = newStudio()
  const handlers = new Map<string, (event: unknown, payload: unknown) => unknown>()
  const ipcMain = {
    handle: (channel: string, fn: (event: unknown, payload: unknown) => unknown) => handlers.set(channel, fn),
    removeHandler: (channel: string) => handlers.delete(channel),
  }
  const sent: { channel: string; payload: unknown }[] = []
  const waiting = new Map<string, (payload: unknown) => void>()
  const webContents = {
    isDestroyed: () => false,
    send: (channel: string, payload: unknown) => {
      sent.push({ channel, payload })
      waiting.get(channel)?.(payload)
    },
  }
  const unbind = bindIpc(ipcMain as never, studio.registry, studio.bus, APP_ENTRY, () => [webContents as never])
  const trustedFrame = { senderFrame: { url: APP_ENTRY, parent: null } }
  return {
    studio,
    client: {
      invoke: async (channel, payload) => {
        const handler = handlers.get(channel)
        if (!handler) return { v: 1, ok: false, error: { code: 'not-found', message: `no ipc handler for ${channel}` } }
        return (await handler(trustedFrame, payload)) as Envelope<unknown>
      },
      nextEvent: (channel) => new Promise((resolve) => waiting.set(channel, resolve)),
    },
    teardown: async () => {
      unbind()
      expect(handlers.size).toBe(0)
    },
  }
})

contractSuite('browser bridge (HTTP + WebSocket)', async () => {
  const studio = newStudio()
  const bridge: Bridge = await startBridge({ studio, rendererDir: join(process.cwd(), 'out/renderer'), token: 'test-token' })
  const socket = new WebSocket(`${bridge.url.replace('http', 'ws')}api/events`, { headers: { 'x-studio-token': 'test-token' } })
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  const waiting = new Map<string, (payload: unknown) => void>()
  socket.on('message', (data) => {
    const { channel, payload } = JSON.parse(String(data)) as { channel: string; payload: unknown }
    waiting.get(channel)?.(payload)
  })
  return {
    studio,
    client: {
      invoke: async (channel, payload) => {
        const response = await fetch(`${bridge.url}api/invoke/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-studio-token': 'test-token' },
          body: JSON.stringify(payload),
        })
        return (await response.json()) as Envelope<unknown>
      },
      nextEvent: (channel) => new Promise((resolve) => waiting.set(channel, resolve)),
    },
    teardown: async () => {
      socket.close()
      await bridge.close()
    },
  }
})

describe('Electron binder sender validation', () => {
  it('refuses IPC from subframes and foreign origins, for every channel', async () => {
    const studio = newStudio()
    const handlers = new Map<string, (event: unknown, payload: unknown) => Promise<Envelope<unknown>>>()
    bindIpc({ handle: (c: string, fn: never) => handlers.set(c, fn), removeHandler: () => undefined } as never, studio.registry, studio.bus, APP_ENTRY, () => [])
    expect([...handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort())
    const subframe = { senderFrame: { url: APP_ENTRY, parent: {} } }
    const foreign = { senderFrame: { url: 'https://evil.example/index.html', parent: null } }
    for (const event of [subframe, foreign, { senderFrame: null }]) {
      const envelope = await handlers.get('query:system.ping')!(event, {})
      expect(envelope.ok).toBe(false)
      if (!envelope.ok) expect(envelope.error.code).toBe('unauthorized')
    }
  })
})

describe('browser bridge guards', () => {
  let bridge: Bridge
  beforeAll(async () => {
    bridge = await startBridge({ studio: newStudio(), rendererDir: join(process.cwd(), 'out/renderer') })
  })
  afterAll(() => bridge.close())

  it('binds loopback only and uses a random token per launch', async () => {
    expect(new URL(bridge.url).hostname).toBe('127.0.0.1')
    expect(bridge.token.length).toBeGreaterThanOrEqual(32)
    const other = await startBridge({ studio: newStudio(), rendererDir: '.' })
    expect(other.token).not.toBe(bridge.token)
    await other.close()
    await expect(startBridge({ studio: newStudio(), rendererDir: '.', host: '0.0.0.0' as never })).rejects.toThrow(/loopback/)
  })

  it('refuses requests without the token (401), with a wrong token, and from a foreign Host header', async () => {
    const invoke = `${bridge.url}api/invoke/query:system.ping`
    expect((await fetch(invoke, { method: 'POST', body: '{}' })).status).toBe(401)
    expect((await fetch(invoke, { method: 'POST', body: '{}', headers: { 'x-studio-token': 'nope' } })).status).toBe(401)
    expect((await fetch(`${bridge.url}media/file/x`)).status).toBe(401)
    const http = await import('node:http')
    const status = await new Promise<number>((resolve) => {
      const req = http.request(invoke, { method: 'POST', headers: { host: 'evil.example', 'x-studio-token': bridge.token } }, (res) => resolve(res.statusCode ?? 0))
      req.end('{}')
    })
    expect(status).toBe(401)
  })

  it('refuses an event socket without the token', async () => {
    const socket = new WebSocket(`${bridge.url.replace('http', 'ws')}api/events`)
    const outcome = await new Promise<string>((resolve) => {
      socket.once('open', () => resolve('open'))
      socket.once('error', () => resolve('refused'))
    })
    expect(outcome).toBe('refused')
  })

  it('trades the launch token for an HttpOnly cookie', async () => {
    const response = await fetch(bridge.launchUrl, { redirect: 'manual' })
    expect(response.status).toBe(303)
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/)
  })
})
