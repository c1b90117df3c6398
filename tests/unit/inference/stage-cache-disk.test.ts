import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { StageCache } from '../../../src/main/services/inference/stage-cache'
import { writeFlo } from '../../../src/main/vision/flo'
import type { FlowField } from '../../../src/main/vision/image'

const flow = (value: number): FlowField => ({ width: 4, height: 4, u: new Float32Array(16).fill(value), v: new Float32Array(16).fill(-value) })
const FLO_BYTES = writeFlo(flow(0)).length
const sizeOf = (f: FlowField) => f.u.byteLength * 2

let dir = ''
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function store(cache: StageCache, key: string, value: number): Promise<void> {
  await cache.get('flow', key, sizeOf, async () => flow(value))
}

const files = async () => (await readdir(dir)).sort()

describe('StageCache disk tier', () => {
  it('keeps the flow folder within its byte budget, deleting the least recently used files first', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage-cache-'))
    const budget = 3 * FLO_BYTES
    const first = new StageCache(1e6, dir, budget)
    for (const [i, key] of ['a', 'b', 'c'].entries()) await store(first, key, i)
    expect(await files()).toEqual(['a.flo', 'b.flo', 'c.flo'])
    // last used: a long ago, then b, then c
    for (const [i, key] of ['a', 'b', 'c'].entries()) await utimes(join(dir, `${key}.flo`), 1000 + i, 1000 + i)

    // A later session reads a from disk: that use makes it the most recent.
    const later = new StageCache(1e6, dir, budget)
    const read = await later.get('flow', 'a', sizeOf, () => Promise.reject(new Error('should come from disk')))
    expect(read.u[0]).toBe(0)
    expect(later.stats().diskHits).toBe(1)
    expect((await stat(join(dir, 'a.flo'))).mtimeMs).toBeGreaterThan(1_000_000)

    // A fourth file passes the budget: the least recently used go until 80 % of it is left.
    await store(later, 'd', 3)
    expect(await files()).toEqual(['a.flo', 'd.flo'])
  })

  it('removes temporary files left by a killed write, and a failing disk does not fail the computation', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage-cache-'))
    const stale = join(dir, 'x.flo.123.tmp')
    const fresh = join(dir, 'y.flo.456.tmp')
    await writeFile(stale, 'partial')
    await writeFile(fresh, 'partial')
    await utimes(stale, 1000, 1000)
    await store(new StageCache(1e6, dir, 10 * FLO_BYTES), 'a', 1)
    expect(await files()).toEqual(['a.flo', 'y.flo.456.tmp'])

    // the cache folder is a file: nothing can be written there, the flow is still returned
    const blocked = join(dir, 'a.flo')
    const value = await new StageCache(1e6, join(blocked, 'sub'), FLO_BYTES).get('flow', 'k', sizeOf, async () => flow(7))
    expect(value.u[0]).toBe(7)
  })
})
