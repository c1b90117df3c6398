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
import { MAX_CLIENT_FRAME_BYTES, checkCrossSite, checkInvokeHeaders, decodeSegment, ownOrigins, tokenCookieName, type CrossSiteVerdict } from './guards'

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

const MAX_BODY_BYTES = 8 * 1024 * 1024

class BodyTooLarge extends Error {}

/**
 * The browser bridge: serves the renderer build and the same handler registry over HTTP
 * (invoke), WebSocket (events) and a media route. Bound to loopback, guarded by a random
 * per-launch token (query once → HttpOnly SameSite=Strict cookie; or `x-studio-token`),
 * a Host-header check against DNS rebinding, and Origin / Sec-Fetch-Site / client-header checks
 * against other pages on the same host (docs/security.md).
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
  // A client that breaks the protocol loses its own connection, never the process.
  server.on('clientError', (_error, socket) => socket.destroy())
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES })
  sockets.on('connection', (ws: WebSocket) => {
    ws.on('error', () => ws.terminate())
  })
  const unsubscribe = studio.bus.subscribe((channel, payload) => {
    const message = JSON.stringify({ channel, payload })
    for (const client of sockets.clients) if (client.readyState === client.OPEN) client.send(message)
  })

  let allowedHosts: Set<string> = new Set()
  let origins: Set<string> = new Set()
  let cookieName = ''

  function authorised(req: IncomingMessage, url: URL): boolean {
    if (!req.headers.host || !allowedHosts.has(req.headers.host)) return false
    const offered = req.headers['x-studio-token'] ?? url.searchParams.get('token') ?? readCookie(req, cookieName)
    return typeof offered === 'string' && sameSecret(offered, token)
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://bridge.invalid')
    if (!authorised(req, url)) return send(res, 401, 'text/plain; charset=utf-8', 'Unauthorized: open the URL printed by `npm run serve` (it carries the token).')
    if (url.searchParams.has('token') && req.method === 'GET' && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/media/') && !url.pathname.startsWith('/download/')) {
      // Trade the query token for a cookie so it does not linger in the address bar or history.
      res.writeHead(303, {
        location: url.pathname,
        'set-cookie': `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      })
      return void res.end()
    }
    const isApi = url.pathname.startsWith('/api/') || url.pathname.startsWith('/media/') || url.pathname.startsWith('/download/')
    const crossSite = isApi ? checkCrossSite(req, origins) : { ok: true as const }
    if (!crossSite.ok) return refuse(res, crossSite)
    if (url.pathname.startsWith('/api/invoke/')) {
      const channel = decodeSegment(url.pathname.slice('/api/invoke/'.length))
      if (channel === null) return sendError(res, 400, 'invalid-input', 'Malformed percent-encoding in the channel name')
      return invoke(req, res, channel)
    }
    if (url.pathname.startsWith('/media/')) return media(req, res, url)
    if (url.pathname.startsWith('/download/')) return download(req, res, url.pathname.slice('/download/'.length))
    return serveStatic(req, res, url.pathname)
  }

  async function invoke(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'POST only')
    if (!isRequestChannel(channel)) return sendError(res, 404, 'not-found', `Unknown channel: ${channel}`)
    const headers = checkInvokeHeaders(req)
    if (!headers.ok) return refuse(res, headers)
    let body: unknown
    try {
      const text = await readBody(req)
      body = text.length === 0 ? {} : JSON.parse(text)
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // Answered while the rest of the body is drained (not buffered), so the client reads a 413, not a reset.
        return sendError(res, 413, 'invalid-input', `Request body over ${MAX_BODY_BYTES} bytes`)
      }
      return sendError(res, 400, 'invalid-input', (error as Error).message)
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

  /** A file an export just wrote, once, under the id the export answered with (the id is spent even if the file is gone). */
  async function download(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (req.method !== 'GET') return send(res, 405, 'text/plain; charset=utf-8', 'GET only')
    const offered = studio.downloads.take(id)
    const info = offered ? await stat(offered.path).catch(() => null) : null
    if (!offered || !info?.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'No such download (each one can be fetched once, within 15 minutes of the export)')
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': info.size,
      'content-disposition': `attachment; filename="${offered.name.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(offered.name)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    })
    createReadStream(offered.path).pipe(res)
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
    socket.on('error', () => socket.destroy())
    const url = new URL(req.url ?? '/', 'http://bridge.invalid')
    if (url.pathname !== '/api/events' || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    if (!checkCrossSite(req, origins).ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
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
  origins = ownOrigins(allowedHosts)
  cookieName = tokenCookieName(port)
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

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, 'application/json', JSON.stringify({ v: 1, ok: false, error: { code, message } }))
}

function refuse(res: ServerResponse, verdict: CrossSiteVerdict): void {
  if (!verdict.ok) send(res, 403, 'text/plain; charset=utf-8', `Forbidden: ${verdict.reason}`)
}

function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'])
  if (declared > MAX_BODY_BYTES) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        over = true
        chunks.length = 0
        // Stop buffering but keep draining (paused sockets reset); the 413 is sent by the caller.
        reject(new BodyTooLarge())
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
