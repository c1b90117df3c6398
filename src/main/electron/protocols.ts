import { readFile } from 'node:fs/promises'
import type { Protocol } from 'electron'
import type { MediaRouter } from '../services/media/media-router'
import { RENDERER_CSP } from '../csp'
import { rendererFile } from '../renderer-files'

export const APP_SCHEME = 'app'
export const MEDIA_SCHEME = 'me-media'
export const APP_ENTRY = `${APP_SCHEME}://studio/index.html`

/** Must run before `app.ready`: both schemes are standard and secure; media may stream. */
export const PRIVILEGED_SCHEMES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  // corsEnabled: the page (app://) fetches raw frames and tensors from me-media:// — a cross-origin fetch.
  { scheme: MEDIA_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: true } },
]

/** `app://studio/…` serves the renderer build; nothing outside it. */
export function handleAppScheme(protocol: Protocol, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = rendererFile(rendererDir, new URL(request.url).pathname)
    if (!file) return new Response('Forbidden', { status: 403 })
    try {
      const body = await readFile(file.path)
      return new Response(body, {
        headers: { 'content-type': file.contentType, 'content-security-policy': RENDERER_CSP },
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
