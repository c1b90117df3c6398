import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createFlow } from '../../../src/main/vision/image'
import { opticalStrain } from '../../../src/main/vision/strain'
import { VisionPool, VisionTaskError, VisionWorkerCrashError } from '../../../src/main/workers/vision-pool'
import { loadFace, makePair, smoothFlow } from './synthetic'

const WORKER = fileURLToPath(new URL('../../../src/main/workers/vision.worker.ts', import.meta.url))
const CRASHING = fileURLToPath(new URL('./crashing.worker.mjs', import.meta.url))
const POOL = fileURLToPath(new URL('../../../src/main/workers/vision-pool.ts', import.meta.url))

describe('VisionPool', () => {
  const pool = new VisionPool({ workerPath: WORKER, execArgv: ['--import', 'tsx'], size: 2 })
  afterAll(() => pool.destroy())

  it('runs a task in a worker and returns the same result as in-process, transferring the inputs', async () => {
    const flow = createFlow(16, 12)
    for (let i = 0; i < flow.u.length; i++) {
      flow.u[i] = 0.1 * (i % 16)
      flow.v[i] = 0.05 * Math.floor(i / 16)
    }
    const expected = opticalStrain(flow)
    const input = { width: flow.width, height: flow.height, u: flow.u.slice(), v: flow.v.slice() }
    const result = await pool.run('strain', { flow: input }, { transfer: [input.u.buffer, input.v.buffer] })
    expect(result.width).toBe(16)
    expect(Array.from(result.data)).toEqual(Array.from(expected.data))
    expect(input.u.byteLength).toBe(0) // moved, not copied
  })

  it('runs TV-L1 with progress and two tasks in parallel', async () => {
    const base = await loadFace(48, 48)
    const { i0, i1 } = makePair(base, smoothFlow(48, 48, 1))
    const seen: number[] = []
    const [a, b] = await Promise.all([
      pool.run('flow', { method: 'tvl1', i0, i1, options: { nscales: 2 } }, { onProgress: (done) => seen.push(done) }),
      pool.run('flow', { method: 'lk', i0, i1 }),
    ])
    expect(a.u).toBeInstanceOf(Float32Array)
    expect(a.u.length).toBe(48 * 48)
    expect(b.v.length).toBe(48 * 48)
    expect(seen.at(-1)).toBe(10) // 2 scales × 5 warps
  })

  it('cancels a running task by terminating its worker, then keeps working', async () => {
    const base = await loadFace(640, 480)
    const { i0, i1 } = makePair(base, smoothFlow(640, 480, 3))
    const ac = new AbortController()
    let started = 0
    // Abort once the worker reports its first warping: the task is then certainly running.
    const running = pool.run('flow', { method: 'tvl1', i0, i1 }, { signal: ac.signal, onProgress: () => ((started ||= Date.now()), ac.abort()) })
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
    expect(started).toBeGreaterThan(0)
    expect(Date.now() - started).toBeLessThan(1000)
    expect(pool.restarts).toBeGreaterThanOrEqual(1)
    const after = await pool.run('strain', { flow: createFlow(8, 8) })
    expect(after.data.every((x) => x === 0)).toBe(true)
  })

  it('runs face detection on one worker (its model is held once) while other tasks use the rest', async () => {
    const image = { width: 64, height: 64, data: new Float32Array(64 * 64).fill(128) }
    const faces = [pool.run('faces', { image }), pool.run('faces', { image })]
    expect(pool.running).toBe(1) // the second waits for the face worker although another is free
    const base = await loadFace(32, 32)
    const { i0, i1 } = makePair(base, smoothFlow(32, 32, 1))
    const lk = pool.run('flow', { method: 'lk', i0, i1 })
    expect(pool.running).toBe(2) // the queued face task does not hold up a task behind it
    expect(pool.queued).toBe(1)
    expect(await Promise.all(faces)).toEqual([[], []])
    expect((await lk).u).toHaveLength(32 * 32)
  }, 120_000)

  it('rejects a queued task that is aborted before it starts', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(pool.run('strain', { flow: createFlow(4, 4) }, { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('reports errors thrown by a task', async () => {
    const a = { width: 8, height: 8, data: new Float32Array(64) }
    const b = { width: 4, height: 4, data: new Float32Array(16) }
    await expect(pool.run('flow', { method: 'tvl1', i0: a, i1: b })).rejects.toBeInstanceOf(VisionTaskError)
  })

  it('detects a crashed worker and replaces it', async () => {
    const crashing = new VisionPool({ workerPath: CRASHING, size: 1 })
    try {
      await expect(crashing.run('strain', { flow: createFlow(4, 4) })).rejects.toBeInstanceOf(VisionWorkerCrashError)
      await expect(crashing.run('strain', { flow: createFlow(4, 4) })).rejects.toBeInstanceOf(VisionWorkerCrashError)
      expect(crashing.restarts).toBe(2)
    } finally {
      await crashing.destroy()
    }
  })

  it("lets a process exit while its idle workers are alive (workers are unref'd when idle)", () => {
    const script = [
      `import { VisionPool } from ${JSON.stringify(POOL)}`,
      `const pool = new VisionPool({ workerPath: ${JSON.stringify(WORKER)}, execArgv: ['--import', 'tsx'], size: 1 })`,
      `const r = await pool.run('strain', { flow: { width: 2, height: 2, u: new Float32Array(4), v: new Float32Array(4) } })`,
      `console.log('done', r.width)`,
    ].join('\n')
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 })
    expect(res.stdout).toContain('done 2')
    expect(res.status).toBe(0)
  })
})
