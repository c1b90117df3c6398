import type { DecodedFrame } from './frame'

/** Least-recently-used frame cache bounded by the bytes of pixel data it holds. */
export class FrameCache {
  private readonly entries = new Map<string, DecodedFrame>()
  private bytes = 0
  private hitCount = 0
  private missCount = 0

  constructor(readonly maxBytes: number) {}

  get(key: string): DecodedFrame | undefined {
    const frame = this.entries.get(key)
    if (!frame) {
      this.missCount++
      return undefined
    }
    this.hitCount++
    // Re-insert so that Map order stays least → most recently used.
    this.entries.delete(key)
    this.entries.set(key, frame)
    return frame
  }

  set(key: string, frame: DecodedFrame): void {
    const size = frame.data.byteLength
    if (size > this.maxBytes) return
    const previous = this.entries.get(key)
    if (previous) {
      this.bytes -= previous.data.byteLength
      this.entries.delete(key)
    }
    this.entries.set(key, frame)
    this.bytes += size
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= old.data.byteLength
    }
  }

  /** Drops every entry whose key starts with `prefix` (one clip's frames). */
  deletePrefix(prefix: string): void {
    for (const [key, frame] of this.entries) {
      if (!key.startsWith(prefix)) continue
      this.entries.delete(key)
      this.bytes -= frame.data.byteLength
    }
  }

  stats() {
    return { bytes: this.bytes, maxBytes: this.maxBytes, entries: this.entries.size, hits: this.hitCount, misses: this.missCount }
  }
}
