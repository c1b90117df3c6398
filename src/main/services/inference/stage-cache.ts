/**
 * Intermediate results of input building, cached per (sample, recipe stage): a memory LRU bounded
 * in bytes, plus an optional on-disk tier for optical flow (the expensive stage) under the
 * project's cache folder, so a second model with the same recipe, or a later session, reuses the
 * flow instead of recomputing it. Hits and misses are counted per stage for the batch engine.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readFlo, writeFlo } from '../../vision/flo'
import type { FlowField } from '../../vision/image'

export type StageName = 'frames' | 'flow' | 'tensor'

export interface CacheStats {
  hits: Record<StageName, number>
  misses: Record<StageName, number>
  /** Flow fields read back from the disk tier (counted in `hits.flow` too). */
  diskHits: number
  bytes: number
}

/** Stable key for a stage: a digest of its inputs (sample identity + the parameters that matter). */
export function stageKey(stage: StageName, parts: unknown): string {
  return `${stage}-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`
}

interface Entry {
  value: unknown
  bytes: number
}

export class StageCache {
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly counters: CacheStats = {
    hits: { frames: 0, flow: 0, tensor: 0 },
    misses: { frames: 0, flow: 0, tensor: 0 },
    diskHits: 0,
    bytes: 0,
  }
  /** Computations in flight, so concurrent requests for one key compute it once. */
  private readonly pending = new Map<string, Promise<unknown>>()

  constructor(
    private readonly maxBytes: number,
    private readonly diskDir: string | null = null,
  ) {}

  stats(): CacheStats {
    return structuredClone({ ...this.counters, bytes: this.bytes })
  }

  /** The cached value for `key`, or the result of `compute` (stored; evicting least recently used entries). */
  async get<T>(stage: StageName, key: string, sizeOf: (value: T) => number, compute: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry) // most recently used last
      this.counters.hits[stage]++
      return entry.value as T
    }
    const inFlight = this.pending.get(key)
    if (inFlight) {
      this.counters.hits[stage]++
      return inFlight as Promise<T>
    }
    const work = (async () => {
      const fromDisk = stage === 'flow' ? await this.readDisk(key) : null
      if (fromDisk) {
        this.counters.hits[stage]++
        this.counters.diskHits++
        return fromDisk as T
      }
      this.counters.misses[stage]++
      const value = await compute()
      if (stage === 'flow') await this.writeDisk(key, value as FlowField)
      return value
    })()
    this.pending.set(key, work)
    try {
      const value = await work
      this.store(key, value, sizeOf(value))
      return value
    } finally {
      this.pending.delete(key)
    }
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  private store(key: string, value: unknown, bytes: number): void {
    if (bytes > this.maxBytes) return
    this.entries.set(key, { value, bytes })
    this.bytes += bytes
    for (const [oldKey, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldKey)
      this.bytes -= old.bytes
    }
  }

  private async readDisk(key: string): Promise<FlowField | null> {
    if (!this.diskDir) return null
    try {
      return readFlo(await readFile(join(this.diskDir, `${key}.flo`)))
    } catch {
      return null // absent or unreadable: recompute (and overwrite)
    }
  }

  private async writeDisk(key: string, flow: FlowField): Promise<void> {
    if (!this.diskDir) return
    await mkdir(this.diskDir, { recursive: true })
    const path = join(this.diskDir, `${key}.flo`)
    const tmp = `${path}.${process.pid}.tmp`
    await writeFile(tmp, writeFlo(flow))
    await rename(tmp, path)
  }
}
