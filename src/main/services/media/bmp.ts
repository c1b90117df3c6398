import { StudioError } from '@shared/ipc/errors'
import type { DecodedFrame } from './frame'

/** Width and height from a BMP header, without decoding pixels. */
export function bmpSize(bytes: Uint8Array): { width: number; height: number } {
  const header = parseHeader(bytes)
  return { width: header.width, height: header.height }
}

/**
 * Decodes an uncompressed Windows BMP (BITMAPINFOHEADER or later): 8-bit palettised, 24-bit BGR
 * and 32-bit BGRX, bottom-up or top-down. That covers SMIC's frames; sharp/libvips cannot read BMP.
 * Palettes whose entries are all grey decode to one channel, everything else to RGB.
 */
export function decodeBmp(bytes: Uint8Array): DecodedFrame {
  const header = parseHeader(bytes)
  const { width, height, bitsPerPixel, topDown, dataOffset, view } = header
  const stride = Math.ceil((width * bitsPerPixel) / 32) * 4
  if (dataOffset + stride * height > bytes.byteLength) throw corrupt('pixel data is truncated')

  if (bitsPerPixel === 8) {
    const palette = readPalette(bytes, view, header)
    const grey = palette.every(([r, g, b]) => r === g && g === b)
    const channels = grey ? 1 : 3
    const data = new Uint8Array(width * height * channels)
    for (let y = 0; y < height; y++) {
      const row = dataOffset + (topDown ? y : height - 1 - y) * stride
      for (let x = 0; x < width; x++) {
        const entry = palette[bytes[row + x]!] ?? [0, 0, 0]
        const o = (y * width + x) * channels
        if (grey) data[o] = entry[0]
        else {
          data[o] = entry[0]
          data[o + 1] = entry[1]
          data[o + 2] = entry[2]
        }
      }
    }
    return { width, height, channels, data }
  }

  const bytesPerPixel = bitsPerPixel / 8
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride
    for (let x = 0; x < width; x++) {
      const i = row + x * bytesPerPixel
      const o = (y * width + x) * 3
      data[o] = bytes[i + 2]!
      data[o + 1] = bytes[i + 1]!
      data[o + 2] = bytes[i]!
    }
  }
  return { width, height, channels: 3, data }
}

interface BmpHeader {
  view: DataView
  width: number
  height: number
  topDown: boolean
  bitsPerPixel: 8 | 24 | 32
  dataOffset: number
  infoSize: number
  paletteSize: number
}

function parseHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.byteLength < 54) throw corrupt('file is shorter than a BMP header')
  if (bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new StudioError('media/unsupported', 'Not a BMP file (no "BM" signature)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dataOffset = view.getUint32(10, true)
  const infoSize = view.getUint32(14, true)
  if (infoSize < 40) throw new StudioError('media/unsupported', 'OS/2 BMP headers are not supported')
  const width = view.getInt32(18, true)
  const rawHeight = view.getInt32(22, true)
  const bitsPerPixel = view.getUint16(28, true)
  const compression = view.getUint32(30, true)
  // BI_RGB, or BI_BITFIELDS with the standard 32-bit masks.
  if (compression !== 0 && !(compression === 3 && bitsPerPixel === 32)) {
    throw new StudioError('media/unsupported', `Compressed BMP (method ${compression}) is not supported`)
  }
  if (bitsPerPixel !== 8 && bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    throw new StudioError('media/unsupported', `${bitsPerPixel}-bit BMP is not supported`)
  }
  const height = Math.abs(rawHeight)
  if (width <= 0 || height === 0 || width > 1 << 15 || height > 1 << 15) throw corrupt(`implausible size ${width}×${height}`)
  return { view, width, height, topDown: rawHeight < 0, bitsPerPixel, dataOffset, infoSize, paletteSize: view.getUint32(46, true) }
}

function readPalette(bytes: Uint8Array, view: DataView, header: BmpHeader): [number, number, number][] {
  const count = header.paletteSize || 256
  const start = 14 + header.infoSize
  if (start + count * 4 > bytes.byteLength) throw corrupt('palette is truncated')
  const palette: [number, number, number][] = []
  for (let i = 0; i < count; i++) {
    const o = start + i * 4
    palette.push([view.getUint8(o + 2), view.getUint8(o + 1), view.getUint8(o)])
  }
  return palette
}

function corrupt(reason: string): StudioError {
  return new StudioError('media/corrupt', `Corrupt BMP: ${reason}`)
}

/** Encodes a BMP (24-bit, bottom-up): used by tests and fixtures that need SMIC-shaped folders. */
export function encodeBmp(frame: DecodedFrame): Uint8Array {
  const { width, height } = frame
  const stride = Math.ceil((width * 24) / 32) * 4
  const size = 54 + stride * height
  const bytes = new Uint8Array(size)
  const view = new DataView(bytes.buffer)
  bytes[0] = 0x42
  bytes[1] = 0x4d
  view.setUint32(2, size, true)
  view.setUint32(10, 54, true)
  view.setUint32(14, 40, true)
  view.setInt32(18, width, true)
  view.setInt32(22, height, true)
  view.setUint16(26, 1, true)
  view.setUint16(28, 24, true)
  view.setUint32(34, stride * height, true)
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * frame.channels
      const r = frame.data[i]!
      const g = frame.channels === 3 ? frame.data[i + 1]! : r
      const b = frame.channels === 3 ? frame.data[i + 2]! : r
      bytes[row + x * 3] = b
      bytes[row + x * 3 + 1] = g
      bytes[row + x * 3 + 2] = r
    }
  }
  return bytes
}
