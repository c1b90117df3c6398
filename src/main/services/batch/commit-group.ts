import { StudioError } from '@shared/ipc/errors'
import type { BatchResult } from './store'

/**
 * Group commit for a running batch. Every commit of the project file is fsynced
 * (`synchronous=FULL`, a few ms), which on a fast recipe (STSTNet's 28×28 input: ~10 ms per
 * sample) was a large share of the work. Finished items are therefore buffered and committed
 * together, in one transaction, when `maxItems` are waiting or `maxDelayMs` after the first of
 * them finished — and whenever the batch stops (pause, cancel, finish). A kill loses at most the
 * buffered group; since its items are still pending in the project, the resume recomputes them,
 * and nothing is ever committed twice.
 */
export interface CommitGroupLimits {
  /** Commit when this many finished items are waiting. */
  maxItems: number
  /** Commit at the latest this long after the oldest waiting item finished. */
  maxDelayMs: number
}

export const DEFAULT_COMMIT_GROUP: Readonly<CommitGroupLimits> = Object.freeze({ maxItems: 64, maxDelayMs: 250 })

/** `ME_STUDIO_BATCH_COMMIT=<items>,<ms>` (e.g. `1,0`: commit every item on its own); the defaults otherwise. */
export function commitGroupFromEnv(value: string | undefined): CommitGroupLimits {
  if (!value) return { ...DEFAULT_COMMIT_GROUP }
  const [items, ms] = value.split(',').map((v) => Number(v.trim()))
  if (!Number.isInteger(items) || items! < 1 || !Number.isFinite(ms) || ms! < 0) {
    throw new StudioError('invalid-input', `ME_STUDIO_BATCH_COMMIT must be "<items ≥ 1>,<ms ≥ 0>", got ${JSON.stringify(value)}`)
  }
  return { maxItems: items!, maxDelayMs: ms! }
}

export class CommitGroup {
  private waiting: BatchResult[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private failure: unknown = null

  constructor(
    private readonly commit: (results: readonly BatchResult[]) => void,
    private readonly limits: CommitGroupLimits,
  ) {}

  /** Items finished but not yet committed. */
  get size(): number {
    return this.waiting.length
  }

  /** Buffers a finished item; commits the group when it is full. Throws a failure of an earlier timed commit. */
  add(result: BatchResult): void {
    this.rethrow()
    this.waiting.push(result)
    if (this.waiting.length >= this.limits.maxItems || this.limits.maxDelayMs === 0) {
      this.flush()
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null
        try {
          this.flush()
        } catch (error) {
          this.failure = error
        }
      }, this.limits.maxDelayMs)
    }
  }

  /** Commits what is waiting (synchronously: one transaction). */
  flush(): void {
    this.clearTimer()
    if (this.waiting.length === 0) return
    const group = this.waiting
    this.waiting = []
    this.commit(group)
  }

  /** Drops what is waiting (the project is gone): those items stay pending and are recomputed on resume. */
  discard(): void {
    this.clearTimer()
    this.waiting = []
  }

  /** Throws the error of a timed commit that failed, if any. */
  rethrow(): void {
    if (this.failure === null) return
    const failure = this.failure
    this.failure = null
    throw failure
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}
