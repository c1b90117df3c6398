/**
 * Intermediate results of input building, cached per (sample, recipe stage): a memory LRU bounded
 * in bytes, plus an optional on-disk tier for optical flow (the expensive stage) under the
 * user's cache folder, so a second model with the same recipe, or a later session, reuses the
 * flow instead of recomputing it. The disk tier is bounded too: a read refreshes a file's mtime,
 * and once the folder passes its byte budget the least recently used files are deleted down to
 * 80 % of it (so pruning, a directory scan, is rare). Hits and misses are counted per stage for the
 * batch engine.
 *
 * A caller that knows how long a value is useful keeps it in its own `StageScope` instead of the
 * memory LRU: a batch gives each sample one, used by every model of that sample and dropped once
 * they have all run, so a one-pass batch holds the stages of the samples in flight only, not
 * 512 MiB of samples it will never revisit.
 */
import { createHash } from 'node:crypto'
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LRUCache } from 'lru-cache'
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

/** Values kept for one caller (e.g. one batch sample), outside the memory LRU, for as long as it holds the scope. */
export type StageScope = Map<string, unknown>

/** `StageCache.claim`'s answer: the value, or the duty to fill the key (the returned promise settles once it is stored). */
export type StageClaim<T> = { hit: true; value: Promise<T> } | { hit: false; fill(value: Promise<T>): Promise<T> }

/** Default byte budget of the on-disk flow tier. */
export const DEFAULT_DISK_CACHE_BYTES = 2 * 1024 ** 3
/** Pruning deletes down to this share of the budget. */
const DISK_LOW_WATER = 0.8
/** A temporary file this old is left over from a write that never finished (a killed process). */
const STALE_TMP_MS = 60 * 60 * 1000

export class StageCache {
  /** The memory tier, bounded in bytes (values boxed: lru-cache keeps objects). */
  private readonly entries: LRUCache<string, { value: unknown }>
  private readonly counters: CacheStats = {
    hits: { frames: 0, flow: 0, tensor: 0 },
    misses: { frames: 0, flow: 0, tensor: 0 },
    diskHits: 0,
    bytes: 0,
  }
  /** Computations in flight, so concurrent requests for one key compute it once. */
  private readonly pending = new Map<string, Promise<unknown>>()
  /**
   * Bytes of `.flo` files in the disk tier, exact after a scan and counted up by each write in between
   * (an overwritten file counts twice until the next scan: the budget is checked early, never late);
   * null until the first write scans the folder.
   */
  private diskBytes: number | null = null
  /** The scan in progress: writes that need one meanwhile wait for it instead of starting another. */
  private scanning: Promise<void> | null = null

  constructor(
    private readonly maxBytes: number,
    private readonly diskDir: string | null = null,
    private readonly diskMaxBytes: number = DEFAULT_DISK_CACHE_BYTES,
  ) {
    this.entries = new LRUCache({ maxSize: Math.max(1, maxBytes) })
  }

  stats(): CacheStats {
    return structuredClone({ ...this.counters, bytes: this.entries.calculatedSize })
  }

  /** The cached value for `key`, or the result of `compute` (stored in `scope`, else in the LRU, evicting least recently used entries). */
  async get<T>(stage: StageName, key: string, sizeOf: (value: T) => number, compute: () => Promise<T>, scope?: StageScope): Promise<T> {
    const claim = await this.claim(stage, key, sizeOf, scope)
    return claim.hit ? claim.value : claim.fill(new Promise<T>((resolve) => resolve(compute())))
  }

  /**
   * Looks `key` up — `scope`, memory, a computation in flight, then (flow) the disk tier — and either
   * returns the value (counted as a hit) or claims the key (counted as a miss): concurrent requests
   * for it wait until the caller `fill`s it with the value it computes, possibly together with other
   * stages (one vision task per sample fills frames, flows and tensor). The claim is registered
   * before the first await, like `get`'s computation. A value found on disk or computed is kept in
   * `scope` when one is given, in the memory LRU otherwise.
   */
  async claim<T>(stage: StageName, key: string, sizeOf: (value: T) => number, scope?: StageScope): Promise<StageClaim<T>> {
    if (scope?.has(key)) {
      this.counters.hits[stage]++
      return { hit: true, value: Promise.resolve(scope.get(key) as T) }
    }
    const entry = this.entries.get(key)
    if (entry) {
      this.counters.hits[stage]++
      return { hit: true, value: Promise.resolve(entry.value as T) }
    }
    const inFlight = this.pending.get(key)
    if (inFlight) {
      this.counters.hits[stage]++
      return { hit: true, value: inFlight as Promise<T> }
    }
    let provide!: (value: Promise<T>) => void
    const source = new Promise<T>((resolve) => {
      provide = resolve
    })
    const work = (async () => {
      const value = await source
      // a cache that cannot be written (disk full, read-only) costs a recomputation later, not this result
      if (stage === 'flow') await this.writeDisk(key, value as FlowField).catch(() => undefined)
      if (scope) scope.set(key, value)
      else this.store(key, value, sizeOf(value))
      return value
    })()
    work.catch(() => undefined) // the error reaches whoever awaits the key; none may
    this.pending.set(key, work)
    void work.then(
      () => this.pending.delete(key),
      () => this.pending.delete(key),
    )
    const fromDisk = stage === 'flow' ? await this.readDisk(key) : null
    if (fromDisk) {
      this.counters.hits[stage]++
      this.counters.diskHits++
      provide(Promise.resolve(fromDisk as T))
      return { hit: true, value: work }
    }
    this.counters.misses[stage]++
    return {
      hit: false,
      fill: (value) => {
        provide(value)
        return work
      },
    }
  }

  clear(): void {
    this.entries.clear()
  }

  private store(key: string, value: unknown, bytes: number): void {
    // A value larger than the whole tier is not kept (and does not evict what is there); lru-cache wants sizes ≥ 1.
    if (bytes > this.maxBytes) return
    this.entries.set(key, { value }, { size: Math.max(1, bytes) })
  }

  private async readDisk(key: string): Promise<FlowField | null> {
    if (!this.diskDir) return null
    const path = join(this.diskDir, `${key}.flo`)
    try {
      const flow = readFlo(await readFile(path))
      const now = new Date()
      await utimes(path, now, now).catch(() => undefined) // last use, for the LRU order (atime is often not kept)
      return flow
    } catch {
      return null // absent or unreadable: recompute (and overwrite)
    }
  }

  private async writeDisk(key: string, flow: FlowField): Promise<void> {
    const dir = this.diskDir
    if (!dir) return
    await mkdir(dir, { recursive: true })
    const path = join(dir, `${key}.flo`)
    const tmp = `${path}.${process.pid}.tmp`
    const bytes = writeFlo(flow)
    await writeFile(tmp, bytes)
    await rename(tmp, path)
    if (this.diskBytes !== null) this.diskBytes += bytes.length
    if (this.diskBytes === null || this.diskBytes > this.diskMaxBytes) {
      this.scanning ??= this.pruneDisk(dir).finally(() => (this.scanning = null))
      await this.scanning
    }
  }

  /** Counts the folder's `.flo` bytes and, over budget, deletes the least recently used down to the low-water mark. */
  private async pruneDisk(dir: string): Promise<void> {
    const files: { path: string; size: number; mtimeMs: number }[] = []
    const now = Date.now()
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const path = join(dir, name)
      const info = await stat(path).catch(() => null)
      if (!info?.isFile()) continue
      if (name.endsWith('.tmp') && now - info.mtimeMs > STALE_TMP_MS) await unlink(path).catch(() => undefined)
      else if (name.endsWith('.flo')) files.push({ path, size: info.size, mtimeMs: info.mtimeMs })
    }
    let total = files.reduce((sum, f) => sum + f.size, 0)
    if (total > this.diskMaxBytes) {
      files.sort((a, b) => a.mtimeMs - b.mtimeMs)
      for (const file of files) {
        if (total <= this.diskMaxBytes * DISK_LOW_WATER) break
        await unlink(file.path).then(
          () => (total -= file.size),
          () => undefined, // another process removed it; its bytes are recounted next scan
        )
      }
    }
    this.diskBytes = total
  }
}
