import { COLORMAP_NAMES, type ColormapName } from '@shared/colormaps'
import { StudioError } from '@shared/ipc/errors'
import type { MediaRouter } from '../media/media-router'
import type { MotionService } from './motion-service'

const FLOW_VIEWS = ['color', 'magnitude', 'strain', 'legend'] as const

/**
 * Media routes of computed motion views (pixels never travel as JSON):
 * - `flow/<flowId>/{color,magnitude,strain,legend}.png?colormap=inferno` — Middlebury colour, heatmaps, wheel legend
 * - `flow/<flowId>/field.f32` — float32 LE, u/v interleaved, row-major (`x-flow-width`, `x-flow-height`)
 * - `magnified/<magnifyId>/<offset>.png` — one magnified frame of the section
 * - `aligned/<faceId>.png` — the onset-style aligned face crop of a frame (after `query:motion.face`)
 * Ids only name results already computed for clips inside the opened roots, so no path is taken from the URL.
 */
export function registerMotionRoutes(router: MediaRouter, motion: MotionService): void {
  router.register('flow', async (request) => {
    const [flowId = '', file = ''] = request.path.split('/')
    if (file === 'field.f32') {
      const { summary } = await motion.flowById(flowId)
      return binary(await motion.flowField(flowId), 'application/octet-stream', { 'x-flow-width': String(summary.width), 'x-flow-height': String(summary.height) })
    }
    const view = file.replace(/\.png$/, '')
    if (!(FLOW_VIEWS as readonly string[]).includes(view) || !file.endsWith('.png')) throw new StudioError('not-found', `Unknown flow view: ${file}`)
    const colormap = request.searchParams.get('colormap') ?? 'inferno'
    if (!(COLORMAP_NAMES as readonly string[]).includes(colormap)) throw new StudioError('invalid-input', `Unknown colormap: ${colormap}`)
    return binary(await motion.flowPng(flowId, view as (typeof FLOW_VIEWS)[number], colormap as ColormapName), 'image/png')
  })
  router.register('aligned', async (request) => {
    const match = /^([0-9a-f]+)\.png$/.exec(request.path)
    if (!match) throw new StudioError('not-found', `Unknown aligned crop: ${request.path}`)
    return binary(await motion.alignedCropPng(match[1]!), 'image/png')
  })
  router.register('magnified', async (request) => {
    const [magnifyId = '', file = ''] = request.path.split('/')
    const match = /^(\d+)\.png$/.exec(file)
    if (!match) throw new StudioError('not-found', `Unknown magnified frame: ${file}`)
    return binary(await motion.magnifiedFramePng(magnifyId, Number(match[1])), 'image/png')
  })
}

function binary(body: Buffer, type: string, extra: Record<string, string> = {}): Response {
  return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-cache', ...extra } })
}
