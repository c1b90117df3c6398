import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, normalize, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { StudioError, type ErrorCode } from '@shared/ipc/errors'
import { isInsideFolder } from '../path-inside'

/** Content types the media route may serve; anything else is refused. */
export const MEDIA_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.bmp': 'image/bmp',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.avi': 'video/x-msvideo',
}

/**
 * The roots the user opened (dataset folders, project folders). The media route serves
 * only files inside them: paths are normalised and symlinks resolved before the check,
 * so `..`, encoded separators and links pointing outside are all refused.
 */
export class MediaRoots {
  private readonly roots = new Set<string>()

  async add(root: string): Promise<void> {
    this.roots.add(await realpath(resolve(root)))
  }

  list(): string[] {
    return [...this.roots]
  }

  /** Stops serving every root (the project that opened them was closed). */
  clear(): void {
    this.roots.clear()
  }

  /** Resolves `requested` to a real path inside an opened root, or throws `forbidden-path`. */
  async resolve(requested: string): Promise<string> {
    if (requested.includes('\0')) throw new StudioError('forbidden-path', 'Path contains a NUL byte')
    if (!isAbsolute(requested)) throw new StudioError('forbidden-path', `Not an absolute path: ${requested}`)
    const lexical = normalize(requested)
    if (!this.isInsideAnyRoot(lexical)) throw new StudioError('forbidden-path', `Outside the opened datasets: ${requested}`)
    let real: string
    try {
      real = await realpath(lexical)
    } catch {
      throw new StudioError('not-found', `No such file: ${requested}`)
    }
    if (!this.isInsideAnyRoot(real)) throw new StudioError('forbidden-path', `Link points outside the opened datasets: ${requested}`)
    return real
  }

  private isInsideAnyRoot(path: string): boolean {
    for (const root of this.roots) if (isInsideFolder(root, path)) return true
    return false
  }
}

/** HTTP status of each error code a media route may raise (the code itself travels in `x-studio-error`). */
const MEDIA_ERROR_STATUS: Partial<Record<ErrorCode, number>> = {
  'invalid-input': 400,
  'forbidden-path': 403,
  'not-found': 404,
  'media/missing-frames': 404,
  'media/unsupported': 415,
  'media/corrupt': 422,
  'media/ffmpeg-missing': 503,
}

export interface MediaRequest {
  /** Path part after the route prefix, still URL-encoded (e.g. `file/%2Fdata%2Fimg1.jpg`). */
  path: string
  searchParams: URLSearchParams
  headers: Headers
  method: string
}

export type MediaRouteHandler = (request: MediaRequest) => Promise<Response>

/**
 * Host-neutral media router shared by Electron's `me-media://` protocol and the bridge's
 * `/media/` HTTP route. Other services register routes (decoded frames, flow images, heatmaps).
 */
export class MediaRouter {
  private readonly routes = new Map<string, MediaRouteHandler>()

  constructor(readonly roots: MediaRoots) {
    this.register('file', (req) => this.serveFile(req))
  }

  register(name: string, handler: MediaRouteHandler): void {
    if (this.routes.has(name)) throw new Error(`media route ${name} registered twice`)
    this.routes.set(name, handler)
  }

  async handle(request: MediaRequest): Promise<Response> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return textResponse(405, 'Method not allowed')
    const [name, ...rest] = request.path.split('/')
    const route = name === undefined ? undefined : this.routes.get(name)
    if (!route) return textResponse(404, 'Unknown media route')
    try {
      return await route({ ...request, path: rest.join('/') })
    } catch (error) {
      if (error instanceof StudioError) {
        const status = MEDIA_ERROR_STATUS[error.code] ?? 500
        return textResponse(status, error.message, error.code)
      }
      return textResponse(500, (error as Error).message)
    }
  }

  /** `file/<encodeURIComponent(absolute path)>`: a file inside an opened root, with HTTP Range. */
  private async serveFile(request: MediaRequest): Promise<Response> {
    let decoded: string
    try {
      decoded = decodeURIComponent(request.path)
    } catch {
      throw new StudioError('invalid-input', 'Malformed path encoding')
    }
    const path = await this.roots.resolve(decoded)
    const type = MEDIA_CONTENT_TYPES[extname(path).toLowerCase()]
    if (!type) throw new StudioError('forbidden-path', `Content type not allowed: ${extname(path) || '(none)'}`)
    const info = await stat(path)
    if (!info.isFile()) throw new StudioError('not-found', `Not a file: ${decoded}`)
    return fileResponse(path, info.size, type, request.headers.get('range'), request.method === 'HEAD')
  }
}

export function fileResponse(path: string, size: number, type: string, rangeHeader: string | null, headOnly = false): Response {
  const base = { 'content-type': type, 'accept-ranges': 'bytes', 'cache-control': 'no-cache' }
  const range = rangeHeader ? parseRange(rangeHeader, size) : null
  if (rangeHeader && !range) {
    return new Response(null, { status: 416, headers: { ...base, 'content-range': `bytes */${size}` } })
  }
  const [start, end] = range ?? [0, size - 1]
  const length = size === 0 ? 0 : end - start + 1
  const body = headOnly || length === 0 ? null : (Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream)
  const headers: Record<string, string> = { ...base, 'content-length': String(length) }
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`
  return new Response(body, { status: range ? 206 : 200, headers })
}

/** Parses a single-range `bytes=` header (RFC 9110 §14.1.2); multi-range requests are refused. */
export function parseRange(header: string, size: number): [number, number] | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || size === 0) return null
  const [, a = '', b = ''] = match
  if (a === '' && b === '') return null
  let start: number
  let end: number
  if (a === '') {
    const suffix = Number(b)
    if (suffix === 0) return null
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(a)
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1)
  }
  if (start > end || start >= size) return null
  return [start, end]
}

function textResponse(status: number, message: string, code?: string): Response {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' }
  if (code) headers['x-studio-error'] = code
  return new Response(message, { status, headers })
}
