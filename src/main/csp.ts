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
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:* ws://[::1]:* me-media:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')
