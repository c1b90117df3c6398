/**
 * Middlebury `.flo` optical-flow files (Baker et al., "A Database and Evaluation Methodology for
 * Optical Flow", IJCV 2011): little-endian float32 magic 202021.25 (the bytes "PIEH"), int32
 * width, int32 height, then width·height interleaved (u, v) float32 pairs, row-major.
 */
import type { FlowField } from './image'

export const FLO_MAGIC = 202021.25
const HEADER_BYTES = 12

/** Encodes a flow field as `.flo` bytes. */
export function writeFlo(flow: FlowField): Uint8Array {
  const { width, height, u, v } = flow
  const n = width * height
  if (u.length !== n || v.length !== n) throw new RangeError('writeFlo: component length differs from width×height')
  const bytes = new Uint8Array(HEADER_BYTES + 8 * n)
  const view = new DataView(bytes.buffer)
  view.setFloat32(0, FLO_MAGIC, true)
  view.setInt32(4, width, true)
  view.setInt32(8, height, true)
  for (let i = 0, off = HEADER_BYTES; i < n; i++, off += 8) {
    view.setFloat32(off, u[i]!, true)
    view.setFloat32(off + 4, v[i]!, true)
  }
  return bytes
}

/** Decodes `.flo` bytes; throws on a bad magic number, size or truncated data. */
export function readFlo(input: Uint8Array | ArrayBuffer): FlowField {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input)
  if (bytes.byteLength < HEADER_BYTES) throw new RangeError('readFlo: file shorter than the 12-byte header')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = view.getFloat32(0, true)
  if (magic !== FLO_MAGIC) throw new RangeError(`readFlo: bad magic ${magic} (expected ${FLO_MAGIC})`)
  const width = view.getInt32(4, true)
  const height = view.getInt32(8, true)
  if (width <= 0 || height <= 0 || width > 1 << 16 || height > 1 << 16) {
    throw new RangeError(`readFlo: implausible size ${width}×${height}`)
  }
  const n = width * height
  if (bytes.byteLength < HEADER_BYTES + 8 * n) throw new RangeError('readFlo: truncated data')
  const u = new Float32Array(n)
  const v = new Float32Array(n)
  for (let i = 0, off = HEADER_BYTES; i < n; i++, off += 8) {
    u[i] = view.getFloat32(off, true)
    v[i] = view.getFloat32(off + 4, true)
  }
  return { width, height, u, v }
}
