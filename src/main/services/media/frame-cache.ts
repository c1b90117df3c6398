import { LRUCache } from 'lru-cache'
import type { DecodedFrame } from './frame'

/** Least-recently-used frame cache bounded by the bytes of pixel data it holds. */
export class FrameCache {
  private readonly entries: LRUCache<string, DecodedFrame>
  private hitCount = 0
  private missCount = 0

  constructor(readonly maxBytes: number) {
    // lru-cache wants sizes ≥ 1: an empty frame counts as one byte.
    this.entries = new LRUCache({ maxSize: Math.max(1, maxBytes), sizeCalculation: (frame) => Math.max(1, frame.data.byteLength) })
  }

  get(key: string): DecodedFrame | undefined {
    const frame = this.entries.get(key)
    if (frame) this.hitCount++
    else this.missCount++
    return frame
  }

  set(key: string, frame: DecodedFrame): void {
    // A frame larger than the whole cache is not kept (and does not evict what is there).
    if (frame.data.byteLength > this.maxBytes) return
    this.entries.set(key, frame)
  }

  /** Drops every entry whose key starts with `prefix` (one clip's frames). */
  deletePrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key)
  }

  stats() {
    return { bytes: this.entries.calculatedSize, maxBytes: this.maxBytes, entries: this.entries.size, hits: this.hitCount, misses: this.missCount }
  }
}
