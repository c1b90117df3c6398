import { readFile } from 'node:fs/promises'
import { extname, join, normalize, relative, isAbsolute } from 'node:path'
import type { Protocol } from 'electron'
import type { MediaRouter } from '../services/media-access'
import { RENDERER_CSP } from '../csp'

export const APP_SCHEME = 'app'
export const MEDIA_SCHEME = 'me-media'
export const APP_ENTRY = `${APP_SCHEME}://studio/index.html`

/** Must run before `app.ready`: both schemes are standard and secure; media may stream. */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  // corsEnabled: the page (app://) fetches raw frames and tensors from me-media:// — a cross-origin fetch.
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
]

const APP_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
}

/** `app://studio/…` serves the renderer build; nothing outside it. */
export function handleAppScheme(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '') || 'index.html'
    const file = join(rendererDir, path)
    const rel = relative(rendererDir, file)
    if (rel.startsWith('..') || isAbsolute(rel)) return new Response('Forbidden', { status: 403 })
    try {
      const body = await readFile(file)
      return new Response(body, {
        headers: { 'content-type': APP_TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': RENDERER_CSP },
      })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}

/** Headers the page reads from media responses (frame layout, flow size, error codes). */
const EXPOSED_MEDIA_HEADERS = ['content-range', 'x-studio-error', 'x-frame-width', 'x-frame-height', 'x-frame-channels', 'x-flow-width', 'x-flow-height', 'x-filmstrip-indices']

/**
 * `me-media://media/<route>/…`: the same host-neutral router as the bridge's `/media/`. Only the
 * app's own origin may read the responses (CORS), so a foreign page could not, even if loaded.
 */
export function handleMediaScheme(protocol: Protocol, media: MediaRouter, appEntry: string): void {
  // URL.origin is "null" for schemes Node does not know; Chromium treats app:// as standard.
  const entry = new URL(appEntry)
  const appOrigin = `${entry.protocol}//${entry.host}`
  protocol.handle(MEDIA_SCHEME, (request) => mediaResponse(media, request, appOrigin))
}

export async function mediaResponse(media: MediaRouter, request: Request, appOrigin: string): Promise<Response> {
  const url = new URL(request.url)
  const response = await media.handle({
    path: url.pathname.replace(/^\/+/, ''),
    searchParams: url.searchParams,
    headers: request.headers,
    method: request.method,
  })
  const headers = new Headers(response.headers)
  headers.set('access-control-allow-origin', appOrigin)
  headers.set('access-control-expose-headers', EXPOSED_MEDIA_HEADERS.join(', '))
  headers.set('vary', 'origin')
  return new Response(response.body, { status: response.status, headers })
}
