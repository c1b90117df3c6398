import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { WebSocketServer, type WebSocket } from 'ws'
import { isRequestChannel } from '@shared/ipc'
import type { Studio } from '../studio'
import { RENDERER_CSP } from '../csp'
import { rendererFile } from '../renderer-files'

export interface BridgeOptions {
  studio: Studio
  /** The production renderer build (out/renderer). */
  rendererDir: string
  /** Loopback only: the bridge refuses any other bind address. */
  host?: '127.0.0.1' | '::1'
  port?: number
  /** Random per launch unless given (tests). */
  token?: string
}

export interface Bridge {
  url: string
  /** URL with the token, the one to open in a browser. */
  launchUrl: string
  token: string
  server: Server
  close(): Promise<void>
}

const TOKEN_COOKIE = 'me_studio_token'
const MAX_BODY_BYTES = 8 * 1024 * 1024

/**
 * The browser bridge: serves the renderer build and the same handler registry over HTTP
 * (invoke), WebSocket (events) and a media route. Bound to loopback, guarded by a random
 * per-launch token (query once → HttpOnly SameSite=Strict cookie; or `x-studio-token`),
 * and a Host-header check against DNS rebinding.
 */
export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1' && host !== '::1') throw new Error('The bridge binds loopback only')
  const token = options.token ?? randomBytes(24).toString('base64url')
  const { studio } = options

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', (error as Error).message)
      else res.destroy()
    })
  })
  const sockets = new WebSocketServer({ noServer: true })
  const unsubscribe = studio.bus.subscribe((channel, payload) => {
    const message = JSON.stringify({ channel, payload })
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message)
  })

  let allowedHosts: Set<string> = new Set()

  function authorised(req: IncomingMessage, url: URL): boolean {
    if (!req.headers.host || !allowedHosts.has(req.headers.host)) return false
    const offered = req.headers['x-studio-token'] ?? url.searchParams.get('token') ?? readCookie(req, TOKEN_COOKIE)
    return typeof offered === 'string' && sameSecret(offered, token)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge.invalid')
    if (!authorised(req, url)) return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized: open the URL printed by `npm run serve` (it carries the token).')
    if (url.searchParams.has('token') && req.method === 'GET' && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/media/')) {
      // Trade the query token for a cookie so it does not linger in the address bar or history.
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      })
      return void res.end()
    }
    if (url.pathname.startsWith('/api/invoke/')) return invoke(req, res, decodeURIComponent(url.pathname.slice('/api/invoke/'.length)))
    if (url.pathname.startsWith('/media/')) return media(req, res, url)
    return serveStatic(req, res, url.pathname)
  }

  async function invoke(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'POST only')
    if (!isRequestChannel(channel)) return send(res, 404, 'application/json', JSON.stringify({ v: 1, ok: false, error: { code: 'not-found', message: `Unknown channel: ${channel}` } }))
    let body: unknown
    try {
      const text = await readBody(req)
      body = text.length === 0 ? {} : JSON.parse(text)
    } catch (error) {
      return send(res, 400, 'application/json', JSON.stringify({ v: 1, ok: false, error: { code: 'invalid-input', message: (error as Error).message } }))
    }
    const envelope = await studio.registry.invoke(channel, body, { via: 'bridge' })
    send(res, 200, 'application/json', JSON.stringify(envelope))
  }

  async function media(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const headers = new Headers()
    for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(key, value)
    const response = await studio.media.handle({
      path: url.pathname.slice('/media/'.length),
      searchParams: url.searchParams,
      headers,
      method: req.method ?? 'GET',
    })
    res.writeHead(response.status, Object.fromEntries(response.headers.entries()))
    if (!response.body) return void res.end()
    Readable.fromWeb(response.body as NodeReadableStream).pipe(res)
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed')
    const file = rendererFile(options.rendererDir, pathname)
    if (!file) return send(res, 403, 'text/plain; charset=utf-8', 'Forbidden')
    const info = await stat(file.path).catch(() => null)
    if (!info?.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'Not found')
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-length': info.size,
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    })
    if (req.method === 'HEAD') return void res.end()
    createReadStream(file.path).pipe(res)
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://bridge.invalid')
    if (url.pathname !== '/api/events' || !authorised(req, url)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      socket.destroy()
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws: WebSocket) => sockets.emit('connection', ws, req))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const hostPart = host === '::1' ? '[::1]' : host
  allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`])
  const url = `http://${hostPart}:${port}/`
  return {
    url,
    launchUrl: `${url}?token=${token}`,
    token,
    server,
    async close() {
      unsubscribe()
      for (const client of sockets.clients) client.terminate()
      sockets.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff' })
  res.end(body)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error('Request body too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return value.join('=')
  }
  return undefined
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}
