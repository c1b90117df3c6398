import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createInflateRaw } from 'node:zlib'
import { StudioError } from '@shared/ipc/errors'
import { formatBytes, formatCount, sheetError } from './limits'

/**
 * Reads entries of a ZIP archive (an xlsx) without loading it: the central directory from the end
 * of the file, then each entry streamed from its offset through inflate. Unpacked bytes are bounded
 * twice: an entry whose declared size exceeds what is left of the budget is refused before it is
 * read, and the bytes actually inflated are counted, since declared sizes can lie.
 */
export interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX32 = 0xffffffff
/** An xlsx has a few dozen entries; the directory of 10,000 is under 1 MiB. */
export const MAX_ZIP_ENTRIES = 10_000
const MAX_DIRECTORY_BYTES = 4 * 1024 * 1024

export class ZipReader {
  /** Bytes inflated so far, all entries together. */
  unpacked = 0

  private constructor(
    private readonly path: string,
    readonly entries: ReadonlyMap<string, ZipEntry>,
    private readonly maxUnpacked: number,
    private readonly what: string,
  ) {}

  static async open(path: string, maxUnpacked: number, what: string): Promise<ZipReader> {
    let file: FileHandle
    try {
      file = await open(path, 'r')
    } catch {
      throw new StudioError('not-found', `No such file: ${path}`)
    }
    try {
      const entries = await readDirectory(file, what)
      return new ZipReader(path, entries, maxUnpacked, what)
    } finally {
      await file.close()
    }
  }

  /** Streams an entry's unpacked bytes to `sink`, counting them against the budget. */
  async read(entry: ZipEntry, sink: (chunk: Buffer) => void): Promise<void> {
    const left = this.maxUnpacked - this.unpacked
    if (entry.size > left) throw this.tooLarge(`its ${entry.name} declares ${formatBytes(entry.size)}`)
    if (entry.flags & 1) throw sheetError('sheet/unreadable', `${this.what} is encrypted`)
    if (entry.method !== 0 && entry.method !== 8) throw sheetError('sheet/unreadable', `${this.what}: ${entry.name} uses ZIP compression method ${entry.method} (only stored and deflate are read)`)
    const start = await this.dataOffset(entry)
    if (entry.compressedSize === 0) return
    const raw = createReadStream(this.path, { start, end: start + entry.compressedSize - 1 })
    // The sink's own refusal (a row or cell limit) wins over the abort it causes upstream.
    let refusal: unknown
    const count = async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        this.unpacked += chunk.length
        try {
          if (this.unpacked > this.maxUnpacked) throw this.tooLarge(`${entry.name} inflates past it`)
          sink(chunk)
        } catch (error) {
          refusal = error
          throw error
        }
      }
    }
    try {
      if (entry.method === 8) await pipeline(raw, createInflateRaw(), count)
      else await pipeline(raw, count)
    } catch (error) {
      if (refusal !== undefined) throw refusal
      if (error instanceof StudioError) throw error
      throw sheetError('sheet/unreadable', `${this.what} is damaged: ${entry.name} does not unpack (${(error as Error).message})`)
    }
  }

  private async dataOffset(entry: ZipEntry): Promise<number> {
    const file = await open(this.path, 'r')
    try {
      const header = Buffer.alloc(30)
      const { bytesRead } = await file.read(header, 0, 30, entry.localHeaderOffset)
      if (bytesRead < 30 || header.readUInt32LE(0) !== LOCAL) throw sheetError('sheet/unreadable', `${this.what} is damaged: no local header for ${entry.name}`)
      return entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
    } finally {
      await file.close()
    }
  }

  private tooLarge(detail: string): StudioError {
    return sheetError('sheet/too-large', `${this.what} unpacks to more than ${formatBytes(this.maxUnpacked)} (the limit): ${detail}`)
  }
}

async function readDirectory(file: FileHandle, what: string): Promise<Map<string, ZipEntry>> {
  const notZip = () =>
    sheetError('sheet/unreadable', `${what} is not an xlsx workbook (not a ZIP archive; old .xls files and password-protected workbooks are not either)`)
  const size = (await file.stat()).size
  const tailLength = Math.min(size, 22 + 0xffff + 20)
  const tail = Buffer.alloc(tailLength)
  await file.read(tail, 0, tailLength, size - tailLength)
  let eocd = -1
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw notZip()
  let count = tail.readUInt16LE(eocd + 10)
  let directorySize = tail.readUInt32LE(eocd + 12)
  let directoryOffset = tail.readUInt32LE(eocd + 16)
  if (count === 0xffff || directorySize === MAX32 || directoryOffset === MAX32) {
    if (eocd < 20 || tail.readUInt32LE(eocd - 20) !== ZIP64_LOCATOR) throw notZip()
    const record = Buffer.alloc(56)
    await file.read(record, 0, 56, Number(tail.readBigUInt64LE(eocd - 20 + 8)))
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw notZip()
    count = Number(record.readBigUInt64LE(32))
    directorySize = Number(record.readBigUInt64LE(40))
    directoryOffset = Number(record.readBigUInt64LE(48))
  }
  if (count > MAX_ZIP_ENTRIES || directorySize > MAX_DIRECTORY_BYTES) {
    throw sheetError('sheet/too-large', `${what} holds more than ${formatCount(MAX_ZIP_ENTRIES)} files or a ZIP directory over ${formatBytes(MAX_DIRECTORY_BYTES)} (the limit)`)
  }
  if (directoryOffset + directorySize > size) throw notZip()
  const directory = Buffer.alloc(directorySize)
  await file.read(directory, 0, directorySize, directoryOffset)
  const entries = new Map<string, ZipEntry>()
  let at = 0
  for (let n = 0; n < count; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw sheetError('sheet/unreadable', `${what} is damaged: its ZIP directory is malformed`)
    const flags = directory.readUInt16LE(at + 8)
    const nameLength = directory.readUInt16LE(at + 28)
    const extraLength = directory.readUInt16LE(at + 30)
    const commentLength = directory.readUInt16LE(at + 32)
    const name = directory.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength)
    const entry: ZipEntry = {
      name,
      method: directory.readUInt16LE(at + 10),
      flags,
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    }
    readZip64Extra(entry, directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength))
    entries.set(name, entry)
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** Sizes and offset too large for 32 bits are in the ZIP64 extra field, in this order. */
function readZip64Extra(entry: ZipEntry, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== 0x0001) continue
    let field = at + 4
    const next = () => {
      const value = field + 8 <= extra.length ? Number(extra.readBigUInt64LE(field)) : MAX32
      field += 8
      return value
    }
    if (entry.size === MAX32) entry.size = next()
    if (entry.compressedSize === MAX32) entry.compressedSize = next()
    if (entry.localHeaderOffset === MAX32) entry.localHeaderOffset = next()
    return
  }
}
