/**
 * Decoded frames of the open clip, by integer frame index, in an LRU bounded in bytes.
 * `prefetch` decodes a window around the playhead (more ahead in the direction of travel), a few
 * at a time, so held-key stepping finds every frame already decoded. A pending decode is shared
 * by everyone who asks for the same index.
 */

export interface DecodedFrame {
  readonly width: number
  readonly height: number
  /** Released when the frame leaves the cache (ImageBitmap.close). */
  close(): void
}

export type FrameDecoder<F extends DecodedFrame> = (index: number, signal: AbortSignal) => Promise<F>

export interface FrameCacheOptions {
  /** Upper bound of decoded pixels kept, in bytes (RGBA: width × height × 4 per frame). */
  maxBytes: number
  /** Decodes running at once. */
  concurrency: number
  /** Frames decoded ahead of the playhead in the direction of travel, and behind it. */
  ahead: number
  behind: number
}

export const DEFAULT_FRAME_CACHE: FrameCacheOptions = { maxBytes: 256 * 1024 * 1024, concurrency: 4, ahead: 40, behind: 12 }

export class FrameCache<F extends DecodedFrame> {
  private readonly frames = new Map<number, F>()
  private readonly pending = new Map<number, Promise<F>>()
  private queue: number[] = []
  private running = 0
  private bytes = 0
  private readonly controller = new AbortController()
  /** Frames that must stay while in use (the onset frame for comparison). */
  private pinned = new Set<number>()
  /** The playhead of the latest `prefetch` call; windows of older positions are dropped. */
  private centre = -1

  constructor(
    private readonly frameCount: number,
    private readonly decode: FrameDecoder<F>,
    private readonly options: FrameCacheOptions = DEFAULT_FRAME_CACHE,
  ) {}

  get size(): number {
    return this.frames.size
  }

  get byteSize(): number {
    return this.bytes
  }

  /** The decoded frame if it is cached (marks it most recently used), else undefined. */
  peek(index: number): F | undefined {
    const frame = this.frames.get(index)
    if (frame) {
      this.frames.delete(index)
      this.frames.set(index, frame)
    }
    return frame
  }

  /** The decoded frame, decoding it first (ahead of any queued prefetch) when needed. */
  get(index: number): Promise<F> {
    this.checkIndex(index)
    const cached = this.peek(index)
    if (cached) return Promise.resolve(cached)
    return this.pending.get(index) ?? this.start(index)
  }

  /**
   * Queues the window around `index`, nearest first, dropping queued frames now out of it. When
   * `index` itself is not decoded yet, it is decoded first, alone, so that the frame the user is
   * waiting for does not share the decoder with its neighbours.
   */
  prefetch(index: number, direction: 1 | -1 = 1): void {
    this.centre = index
    if (index >= 0 && index < this.frameCount && !this.frames.has(index)) {
      this.queue = []
      ;(this.pending.get(index) ?? this.start(index))
        .then(() => {
          if (this.centre === index) this.prefetch(index, direction)
        })
        .catch(() => undefined)
      return
    }
    const order: number[] = []
    const { ahead, behind } = this.options
    for (let d = 1; d <= Math.max(ahead, behind); d++) {
      if (d <= ahead) order.push(index + direction * d)
      if (d <= behind) order.push(index - direction * d)
    }
    this.queue = order.filter((i) => i >= 0 && i < this.frameCount && !this.frames.has(i) && !this.pending.has(i))
    this.pump()
  }

  pin(indices: Iterable<number>): void {
    this.pinned = new Set(indices)
  }

  dispose(): void {
    this.controller.abort()
    this.queue = []
    for (const frame of this.frames.values()) frame.close()
    this.frames.clear()
    this.bytes = 0
  }

  private start(index: number): Promise<F> {
    this.running += 1
    const promise = this.decode(index, this.controller.signal)
      .then((frame) => {
        if (this.controller.signal.aborted) {
          frame.close()
          throw new DOMException('Frame cache disposed', 'AbortError')
        }
        this.store(index, frame)
        return frame
      })
      .finally(() => {
        this.pending.delete(index)
        this.running -= 1
        this.pump()
      })
    this.pending.set(index, promise)
    return promise
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      const index = this.queue.shift()!
      if (this.frames.has(index) || this.pending.has(index)) continue
      // A failed prefetch is retried (and reported) when the frame is actually shown.
      this.start(index).catch(() => undefined)
    }
  }

  private store(index: number, frame: F): void {
    const existing = this.frames.get(index)
    if (existing) {
      frame.close()
      return
    }
    this.frames.set(index, frame)
    this.bytes += frameBytes(frame)
    for (const [i, old] of this.frames) {
      if (this.bytes <= this.options.maxBytes) break
      if (i === index || this.pinned.has(i)) continue
      this.frames.delete(i)
      this.bytes -= frameBytes(old)
      old.close()
    }
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.frameCount) {
      throw new RangeError(`Frame index ${index} is outside the clip (0–${this.frameCount - 1})`)
    }
  }
}

function frameBytes(frame: DecodedFrame): number {
  return frame.width * frame.height * 4
}
