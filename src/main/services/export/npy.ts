/**
 * NumPy `.npy` format version 1.0, written directly: the magic `\x93NUMPY`, version 1.0, a
 * little-endian uint16 header length, then the header dict (`descr`, `fortran_order`, `shape`)
 * padded with spaces and a newline so the data starts on a 64-byte boundary, then the raw
 * little-endian C-order data. `numpy.load` reads it back exactly.
 */

const DESCR = { float32: '<f4', uint8: '|u1' } as const

export function encodeNpy(data: Float32Array | Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1)
  if (count !== data.length) throw new Error(`npy: shape [${shape.join(', ')}] holds ${count} values, the data has ${data.length}`)
  const descr = data instanceof Float32Array ? DESCR.float32 : DESCR.uint8
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`
  const unpadded = 10 + header.length + 1
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + header.length + data.byteLength)
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00])
  new DataView(out.buffer).setUint16(8, header.length, true)
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i)
  const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  // Typed arrays use the platform's byte order; every platform Electron ships on is little-endian.
  out.set(body, 10 + header.length)
  return out
}
