import { extname, join, normalize } from 'node:path'
import { isInsideFolder } from './services/path-inside'

/** Content types of the renderer build, shared by Electron's `app://` and the bridge's static route. */
const RENDERER_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
}

/**
 * Maps a URL path of the renderer build to a file inside `rendererDir` (`/` → index.html), or
 * null when the decoded, normalised path would leave the build folder.
 */
export function rendererFile(rendererDir: string, urlPath: string): { path: string; contentType: string } | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded.includes('\0')) return null
  const relativePath = normalize(decoded).replace(/^[/\\]+/, '') || 'index.html'
  const path = join(rendererDir, relativePath)
  if (!isInsideFolder(rendererDir, path)) return null
  return { path, contentType: RENDERER_CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' }
}
