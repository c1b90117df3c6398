import type { IncomingMessage } from 'node:http'
import { BRIDGE_CLIENT_HEADER } from '@shared/ipc'

/**
 * Request guards of the browser bridge that do not depend on the server's state (pure, so each
 * rule is tested on its own). The threat model they serve is in docs/security.md.
 */

/** Event-stream frames a client may send (it never needs to: the stream is server → client). */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024

/**
 * The token cookie's name carries the port: cookies are scoped by host, not by port, so two bridges
 * in one browser would otherwise replace each other's cookie and the first tab's calls would get 401.
 */
export function tokenCookieName(port: number): string {
  return `me_studio_token_${port}`
}

/** The origins the bridge serves its own page from (Host names the Host-header check allows). */
export function ownOrigins(allowedHosts: Iterable<string>): Set<string> {
  return new Set([...allowedHosts].map((host) => `http://${host}`))
}

export type CrossSiteVerdict = { ok: true } | { ok: false; reason: string }

/**
 * Refuses a request that a browser made on behalf of another page. `Origin` (sent on every
 * WebSocket upgrade and every non-GET fetch) must be one of the bridge's own; `Sec-Fetch-Site`
 * (sent by current browsers on every request, `<img>` and `<video>` included) must say the request
 * came from the bridge's own page or from the user typing the URL. Other origins on the same host
 * (another port of 127.0.0.1: a dev server, a notebook) are *same-site* for cookies, which is why
 * the cookie alone is not enough. Clients that are not browsers send neither header and must
 * present the token themselves.
 */
export function checkCrossSite(req: IncomingMessage, origins: ReadonlySet<string>): CrossSiteVerdict {
  const origin = req.headers.origin
  if (origin !== undefined && !origins.has(origin)) return { ok: false, reason: `Foreign origin: ${origin}` }
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { ok: false, reason: `Cross-site request (${String(site)})` }
  return { ok: true }
}

/**
 * A state-changing invoke must prove it was not sent by a form or a no-cors fetch: a JSON
 * content type and the client header (the token header counts too, since a page cannot know the
 * token). Both are outside the CORS-safelisted set, so a foreign page would need a preflight,
 * which the bridge never grants.
 */
export function checkInvokeHeaders(req: IncomingMessage): CrossSiteVerdict {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') return { ok: false, reason: 'Invoke bodies must be sent as application/json' }
  if (req.headers[BRIDGE_CLIENT_HEADER.name] !== BRIDGE_CLIENT_HEADER.value && req.headers['x-studio-token'] === undefined) {
    return { ok: false, reason: `Missing the ${BRIDGE_CLIENT_HEADER.name} header` }
  }
  return { ok: true }
}

/** Decodes a URL path segment; `null` for a malformed percent-encoding (a 400, not a 500). */
export function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}
