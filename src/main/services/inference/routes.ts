/**
 * Media routes of predictions (tensors never travel as JSON):
 * - `attention/<predictionId>/<output>.f32`: the attention output exactly as the model returned
 *   it, float32 little-endian, row-major; `x-tensor-shape: 1,4,7,14,14`;
 * - `attention/<predictionId>/face.png`: the first input frame as the model saw it (after the
 *   recipe's colour conversion and resize), the base image of the overlay.
 * Ids name recent predictions only; no path is taken from the URL.
 */
import sharp from '../media/sharp'
import { StudioError } from '@shared/ipc/errors'
import type { MediaRouter } from '../media/media-router'
import type { InferenceService } from './predict'

export function registerInferenceRoutes(router: MediaRouter, inference: InferenceService): void {
  router.register('attention', async (request) => {
    const [predictionId = '', file = ''] = request.path.split('/').map((part) => decodeURIComponent(part))
    const prediction = inference.prediction(predictionId)
    if (file === 'face.png') {
      const { width, height, channels, data } = prediction.input.faceCrop
      const png = await sharp(data, { raw: { width, height, channels } }).png({ compressionLevel: 3 }).toBuffer()
      return binary(png, 'image/png')
    }
    const name = file.replace(/\.f32$/, '')
    const tensor = prediction.attention.find((a) => a.name === name)
    if (!tensor || !file.endsWith('.f32')) throw new StudioError('not-found', `Prediction ${predictionId} has no attention output "${file}"`)
    const bytes = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)
    return binary(bytes, 'application/octet-stream', { 'x-tensor-shape': tensor.shape.join(','), 'x-tensor-kind': tensor.kind })
  })
}

function binary(body: Buffer, type: string, extra: Record<string, string> = {}): Response {
  return new Response(new Uint8Array(body), { headers: { 'content-type': type, 'content-length': String(body.length), 'cache-control': 'no-cache', ...extra } })
}
