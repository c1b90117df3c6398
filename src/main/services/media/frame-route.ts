import { StudioError } from '@shared/ipc/errors'
import type { MediaRequest, MediaRouter } from './media-router'
import type { FrameMode } from './frame'
import { MediaService } from './media-service'

/**
 * Media routes for decoded frames (bulk pixels never travel as JSON). `<clip>` is
 * `encodeURIComponent(absolute path)` of a video or image folder inside an opened root; `<index>`
 * is the 0-based position in the clip.
 *
 * - `frame/<clip>/<index>.png?mode=gray|rgb` — one frame as PNG (default rgb)
 * - `frame/<clip>/<index>.raw?mode=gray|rgb` — raw 8-bit pixels; `x-frame-width`, `x-frame-height`,
 *   `x-frame-channels` headers give the layout
 * - `thumb/<clip>/<index>.png?size=160` — thumbnail, longest side `size`
 * - `filmstrip/<clip>.png?count=10&height=64` — evenly spaced frames side by side;
 *   `x-filmstrip-indices` lists the frame indices shown
 */
export function registerFrameRoutes(router: MediaRouter, media: MediaService): void {
  router.register('frame', async (request) => {
    const { clip, index, extension } = await parseFramePath(router, request)
    const mode = parseMode(request.searchParams.get('mode'))
    const frame = await media.readFrame(clip, index, mode)
    if (extension === 'raw') {
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(frame.data), {
        headers: {
          'content-type': 'application/octet-stream',
          'x-frame-width': String(frame.width),
          'x-frame-height': String(frame.height),
          'x-frame-channels': String(frame.channels),
          'cache-control': 'no-cache',
        },
      })
    }
    return pngResponse(await MediaService.encodePng(frame), request)
  })
  router.register('thumb', async (request) => {
    const { clip, index } = await parseFramePath(router, request, ['png'])
    const size = intParam(request.searchParams.get('size'), 160, 16, 1024, 'size')
    return pngResponse(await media.thumbnail(clip, index, size), request)
  })
  router.register('filmstrip', async (request) => {
    const match = /^([^/]+)\.png$/.exec(request.path)
    if (!match) throw new StudioError('invalid-input', 'Expected filmstrip/<clip>.png')
    const clip = await router.roots.resolve(decode(match[1]!))
    const count = intParam(request.searchParams.get('count'), 10, 1, 100, 'count')
    const height = intParam(request.searchParams.get('height'), 64, 8, 512, 'height')
    const strip = await media.filmstrip(clip, count, height)
    const response = pngResponse(strip.png, request)
    response.headers.set('x-filmstrip-indices', strip.indices.join(','))
    return response
  })
}

async function parseFramePath(router: MediaRouter, request: MediaRequest, extensions = ['png', 'raw']) {
  const match = /^([^/]+)\/(\d{1,9})\.([a-z]+)$/.exec(request.path)
  if (!match || !extensions.includes(match[3]!)) throw new StudioError('invalid-input', `Expected <clip>/<index>.(${extensions.join('|')})`)
  const clip = await router.roots.resolve(decode(match[1]!))
  return { clip, index: Number(match[2]), extension: match[3] as 'png' | 'raw' }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw new StudioError('invalid-input', 'Malformed path encoding')
  }
}

function parseMode(value: string | null): FrameMode {
  if (value === null || value === 'rgb') return 'rgb'
  if (value === 'gray') return 'gray'
  throw new StudioError('invalid-input', `mode must be gray or rgb, got ${value}`)
}

function intParam(value: string | null, fallback: number, min: number, max: number, name: string): number {
  if (value === null) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new StudioError('invalid-input', `${name} must be an integer in ${min}..${max}`)
  return n
}

function pngResponse(png: Buffer, request: MediaRequest): Response {
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(png), {
    headers: { 'content-type': 'image/png', 'content-length': String(png.byteLength), 'cache-control': 'no-cache' },
  })
}
