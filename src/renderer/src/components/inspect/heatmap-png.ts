import { applyColormap, colormapLut, type ColormapName } from '@shared/colormaps'
import type { Map2D } from '@shared/inference/attention'

/** The figure's heatmap is drawn at least this wide (input pixels repeated, never smoothed). */
const MIN_WIDTH = 448

/**
 * The heatmap as shown (the same map, colormap and range as the overlay) with its colour bar, the
 * range at both ends and a caption, as a PNG blob: the figure a coder puts in a report.
 */
export async function heatmapFigurePng(map: Map2D, colormap: ColormapName, range: { min: number; max: number }, caption: string, format: (v: number) => string): Promise<Blob> {
  const scale = Math.max(1, Math.ceil(MIN_WIDTH / map.width))
  const pad = 12
  const width = map.width * scale
  const height = map.height * scale
  const barHeight = 16
  const line = 16
  const canvas = document.createElement('canvas')
  canvas.width = width + 2 * pad
  canvas.height = pad + height + pad + barHeight + 4 + line + line + pad
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('This browser cannot draw the heatmap figure')
  ctx.fillStyle = '#ffffff'
  ctx.fillRect(0, 0, canvas.width, canvas.height)

  const native = document.createElement('canvas')
  native.width = map.width
  native.height = map.height
  const image = new ImageData(map.width, map.height)
  image.data.set(applyColormap(map.data, colormap, range))
  native.getContext('2d')!.putImageData(image, 0, 0)
  ctx.imageSmoothingEnabled = false
  ctx.drawImage(native, pad, pad, width, height)

  const lut = colormapLut(colormap)
  const barTop = pad + height + pad
  for (let x = 0; x < width; x++) {
    const i = Math.round((x / Math.max(1, width - 1)) * 255)
    ctx.fillStyle = `rgb(${lut[i * 3]}, ${lut[i * 3 + 1]}, ${lut[i * 3 + 2]})`
    ctx.fillRect(pad + x, barTop, 1, barHeight)
  }
  ctx.strokeStyle = '#666666'
  ctx.strokeRect(pad + 0.5, barTop + 0.5, width - 1, barHeight - 1)

  ctx.fillStyle = '#111111'
  ctx.font = '12px sans-serif'
  ctx.textBaseline = 'top'
  const ticks = barTop + barHeight + 4
  ctx.textAlign = 'left'
  ctx.fillText(format(range.min), pad, ticks)
  ctx.textAlign = 'right'
  ctx.fillText(format(range.max), pad + width, ticks)
  ctx.textAlign = 'left'
  ctx.fillText(caption, pad, ticks + line, width)

  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The heatmap figure could not be encoded'))), 'image/png'))
}

/** Hands a blob made in the page to the browser's downloads (in Electron, its save dialog). */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
