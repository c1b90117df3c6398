import { mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { BRIDGE_CLIENT_HEADER } from '@shared/ipc'
import { startBridge, type Bridge } from '../../../src/main/bridge/server'
import { createStudio, type Studio } from '../../../src/main/studio'

// Hostile clients of the browser bridge (docs/security.md): each attack loses its own request or
// connection, and the bridge keeps answering the studio's own page.

const TOKEN = 'hostile-test-token'

function newStudio(): Studio {
  const dir = mkdtempSync(join(tmpdir(), 'me-hostile-'))
  return createStudio({ host: 'bridge', userDataDir: dir, resourcesDir: join(process.cwd(), 'resources') })
}

interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A request as a browser (or anything else on the machine) could send it, headers untouched. */
function raw(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Upgrades `/api/events` by hand and returns the socket after the 101, or the status line it got. */
function upgrade(bridge: Bridge, headers: Record<string, string>): Promise<{ socket: Socket; statusLine: string }> {
  const { port } = new URL(bridge.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      const lines = [
        'GET /api/events HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        ...Object.entries(headers).map(([key, value]) => `${key}: ${value}`),
      ]
      socket.write(lines.join('\r\n') + '\r\n\r\n')
    })
    let received = ''
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      socket.off('data', onData)
      resolve({ socket, statusLine: received.slice(0, received.indexOf('\r\n')) })
    }
    socket.on('data', onData)
    socket.on('error', reject)
  })
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve()
    socket.on('close', () => resolve())
    socket.resume()
  })
}

describe('browser bridge against hostile clients', () => {
  let studio: Studio
  let bridge: Bridge
  let origin: string
  let cookie: string

  const ping = async () => {
    const response = await fetch(`${bridge.url}api/invoke/query:system.ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-token': TOKEN },
      body: JSON.stringify({ echo: 'still here' }),
    })
    return ((await response.json()) as { value?: { pong: string } }).value?.pong
  }

  beforeAll(async () => {
    studio = newStudio()
    bridge = await startBridge({ studio, rendererDir: join(process.cwd(), 'out/renderer'), token: TOKEN })
    origin = bridge.url.replace(/\/$/, '')
    const launch = await fetch(bridge.launchUrl, { redirect: 'manual' })
    cookie = (launch.headers.get('set-cookie') ?? '').split(';')[0]!
  })
  afterAll(async () => {
    await bridge.close()
    await studio.dispose()
  })

  it('drops an unmasked WebSocket frame on its own connection and keeps serving', async () => {
    const { socket, statusLine } = await upgrade(bridge, { 'x-studio-token': TOKEN })
    expect(statusLine).toBe('HTTP/1.1 101 Switching Protocols')
    socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69]))
    await closed(socket)
    expect(await ping()).toBe('still here')
  })

  it('drops a WebSocket frame over the payload limit and keeps serving', async () => {
    const { socket } = await upgrade(bridge, { 'x-studio-token': TOKEN })
    // A masked text frame declaring 1 MiB (64-bit length), far over what the event stream accepts.
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 0x10, 0, 0, 1, 2, 3, 4])
    socket.write(Buffer.concat([header, Buffer.alloc(64 * 1024)]))
    await closed(socket)
    expect(await ping()).toBe('still here')
  })

  it('refuses an event-stream upgrade from a foreign origin, even with the cookie', async () => {
    const { socket, statusLine } = await upgrade(bridge, { cookie, origin: 'http://127.0.0.1:8888' })
    expect(statusLine).toBe('HTTP/1.1 403 Forbidden')
    socket.destroy()
    const own = await upgrade(bridge, { cookie, origin })
    expect(own.statusLine).toBe('HTTP/1.1 101 Switching Protocols')
    own.socket.destroy()
  })

  it('refuses invokes from another origin on the same host (CSRF), whatever their shape', async () => {
    const annotators = (await studio.registry.invoke('query:annotators.list', {}, { via: 'bridge' })) as { ok: boolean }
    expect(annotators.ok).toBe(false) // no project open: the attacks below must not open or create anything either
    const url = `${bridge.url}api/invoke/command:project.create`
    const target = join(mkdtempSync(join(tmpdir(), 'me-csrf-')), 'x.meproj')
    const body = JSON.stringify({ path: target, name: 'csrf' })
    // What a no-cors fetch from http://127.0.0.1:<other port> sends: cookie, Origin, text/plain.
    const noCors = await raw(url, { method: 'POST', body, headers: { cookie, origin: 'http://127.0.0.1:8888', 'sec-fetch-site': 'same-site', 'content-type': 'text/plain;charset=UTF-8' } })
    expect(noCors.status).toBe(403)
    // The same without Origin / Sec-Fetch-Site (an older browser): text/plain is never parsed as JSON.
    const plain = await raw(url, { method: 'POST', body, headers: { cookie, 'content-type': 'text/plain;charset=UTF-8' } })
    expect(plain.status).toBe(403)
    expect(plain.body).toMatch(/application\/json/)
    // A form post cannot set the client header either.
    const form = await raw(url, { method: 'POST', body, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } })
    expect(form.status).toBe(403)
    // JSON without the client header (a page cannot add it without a preflight the bridge never grants).
    const noHeader = await raw(url, { method: 'POST', body, headers: { cookie, 'content-type': 'application/json' } })
    expect(noHeader.status).toBe(403)
    expect(studio.projects.current).toBeNull()
    // The studio's own page: same origin, JSON, the client header.
    const own = await raw(`${bridge.url}api/invoke/query:system.ping`, {
      method: 'POST',
      body: '{"echo":"own"}',
      headers: { cookie, origin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', [BRIDGE_CLIENT_HEADER.name]: BRIDGE_CLIENT_HEADER.value },
    })
    expect(own.status).toBe(200)
    expect(JSON.parse(own.body)).toMatchObject({ ok: true, value: { pong: 'own' } })
  })

  it('refuses media requests made for another site (img/video tags send Sec-Fetch-Site)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'me-media-'))
    writeFileSync(join(folder, 'img1.png'), Buffer.from('frame bytes'))
    await studio.mediaRoots.add(folder)
    const route = `${bridge.url}media/file/${encodeURIComponent(join(folder, 'img1.png'))}`
    try {
      expect((await raw(route, { headers: { cookie, 'sec-fetch-site': 'same-origin' } })).status).toBe(200)
      expect((await raw(route, { headers: { cookie, 'sec-fetch-site': 'same-site' } })).status).toBe(403)
      expect((await raw(route, { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status).toBe(403)
      expect((await raw(route, { headers: { cookie, origin: 'http://localhost:3000' } })).status).toBe(403)
    } finally {
      studio.mediaRoots.clear()
    }
  })

  it('answers an oversized body with 413 and a bad channel encoding with 400', async () => {
    const big = await raw(`${bridge.url}api/invoke/query:system.ping`, {
      method: 'POST',
      body: Buffer.alloc(9 * 1024 * 1024, 0x20),
      headers: { 'x-studio-token': TOKEN, 'content-type': 'application/json' },
    })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    const encoding = await raw(`${bridge.url}api/invoke/query%ZZping`, { method: 'POST', body: '{}', headers: { 'x-studio-token': TOKEN, 'content-type': 'application/json' } })
    expect(encoding.status).toBe(400)
    expect(await ping()).toBe('still here')
  })

  it('names its cookie after its port, so two bridges in one browser keep their own', async () => {
    const other = await startBridge({ studio: newStudio(), rendererDir: join(process.cwd(), 'out/renderer'), token: 'other-token' })
    try {
      const otherCookie = ((await fetch(other.launchUrl, { redirect: 'manual' })).headers.get('set-cookie') ?? '').split(';')[0]!
      expect(otherCookie.split('=')[0]).not.toBe(cookie.split('=')[0])
      expect(cookie.split('=')[0]).toBe(`me_studio_token_${new URL(bridge.url).port}`)
      // A browser sends both cookies to both bridges (same host): each still finds its own.
      const both = `${cookie}; ${otherCookie}`
      const headers = { cookie: both, 'content-type': 'application/json', [BRIDGE_CLIENT_HEADER.name]: BRIDGE_CLIENT_HEADER.value }
      expect((await raw(`${bridge.url}api/invoke/query:system.ping`, { method: 'POST', body: '{}', headers })).status).toBe(200)
      expect((await raw(`${other.url}api/invoke/query:system.ping`, { method: 'POST', body: '{}', headers })).status).toBe(200)
    } finally {
      await other.close()
    }
  })

  it("stops serving a closed project's dataset folders", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'me-roots-'))
    writeFileSync(join(folder, 'img1.png'), Buffer.from('not really a png'))
    const invoke = (channel: string, input: unknown) => studio.registry.invoke(channel as never, input, { via: 'bridge' })
    await invoke('command:project.create', { path: join(folder, 'p.meproj') })
    await studio.mediaRoots.add(folder)
    const route = `${bridge.url}media/file/${encodeURIComponent(join(folder, 'img1.png'))}`
    expect((await raw(route, { headers: { 'x-studio-token': TOKEN } })).status).toBe(200)
    await invoke('command:project.close', {})
    expect((await raw(route, { headers: { 'x-studio-token': TOKEN } })).status).toBe(403)
  })
})

describe('WebSocket client of the bridge', () => {
  it('gets the event stream from its own origin', async () => {
    const studio = newStudio()
    const bridge = await startBridge({ studio, rendererDir: join(process.cwd(), 'out/renderer'), token: TOKEN })
    try {
      const origin = bridge.url.replace(/\/$/, '')
      const socket = new WebSocket(`${origin.replace('http', 'ws')}/api/events`, { headers: { 'x-studio-token': TOKEN }, origin })
      await new Promise((resolve, reject) => {
        socket.once('open', resolve)
        socket.once('error', reject)
      })
      socket.close()
    } finally {
      await bridge.close()
      await studio.dispose()
    }
  })
})
