/**
 * Content-Security-Policy of the renderer, shared by Electron (`app://`) and the bridge.
 * Scripts only from the app itself (no eval, no inline scripts); media only from our own routes.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: me-media:",
  "media-src 'self' blob: me-media:",
  // CSP 3: 'self' also matches ws: on the page's own host and port, the bridge's event stream.
  "connect-src 'self' me-media:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')
