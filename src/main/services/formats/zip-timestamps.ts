/**
 * Sets every entry's modification time in a ZIP archive (an XLSX file) to 1980-01-01 00:00, the
 * DOS epoch, so the same content always gives the same bytes. ZIP writers stamp entries with the
 * wall clock; nothing else in the archive depends on it. Walks the central directory from the
 * end-of-central-directory record and patches both the central and the local headers in place.
 */
const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const DOS_EPOCH_DATE = (0 << 9) | (1 << 5) | 1 // 1980-01-01
const DOS_MIDNIGHT = 0

export function pinZipTimestamps(zip: Uint8Array): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength)
  let eocd = -1
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive: no end-of-central-directory record')
  const entries = view.getUint16(eocd + 10, true)
  let at = view.getUint32(eocd + 16, true)
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(at, true) !== CENTRAL_SIGNATURE) throw new Error(`ZIP central directory entry ${n} is malformed`)
    view.setUint16(at + 12, DOS_MIDNIGHT, true)
    view.setUint16(at + 14, DOS_EPOCH_DATE, true)
    const local = view.getUint32(at + 42, true)
    if (view.getUint32(local, true) !== LOCAL_SIGNATURE) throw new Error(`ZIP local header of entry ${n} is malformed`)
    view.setUint16(local + 10, DOS_MIDNIGHT, true)
    view.setUint16(local + 12, DOS_EPOCH_DATE, true)
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
  return zip
}
