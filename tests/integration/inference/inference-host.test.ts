// Sessions hosted in a worker thread (the studio's default): real onnxruntime-node in the worker,
// outputs transferred back, and a crashed worker's sessions reopened by the session cache.
import { afterAll, describe, expect, it } from 'vitest'
import { SessionWorkerHost, sessionWorkerLocation } from '../../../src/main/workers/inference-host'
import { SessionCache } from '../../../src/main/services/inference/session-cache'
import { OFF_TANET_ONNX } from '../../helpers/inference-fixture'

const host = new SessionWorkerHost(sessionWorkerLocation(new URL('../../../src/main/workers/inference-host.ts', import.meta.url).href))
afterAll(() => host.dispose())

const input = { data: new Float32Array(3 * 112 * 112).fill(0.5), dims: [1, 3, 112, 112] }

describe('SessionWorkerHost', () => {
  it('opens, runs and releases a real ONNX session in the worker', async () => {
    const session = await host.factory(OFF_TANET_ONNX, 'cpu')
    expect(session.inputs).toEqual([{ name: 'input', type: 'float32', shape: ['batch', 3, 112, 112] }])
    const outputs = await session.run({ input })
    expect(outputs.logits!.dims).toEqual([1, 3])
    expect(outputs.self_attention!.dims).toEqual([1, 4, 7, 14, 14])
    expect(outputs.logits!.data).toBeInstanceOf(Float32Array)
    expect(input.data.length).toBe(3 * 112 * 112) // the caller's tensor was copied, not detached
    await session.release()
    await expect(session.run({ input })).rejects.toThrow('must be reopened')
  })

  it('reports a provider that cannot initialise in the worker as an open failure', async () => {
    await expect(host.factory(OFF_TANET_ONNX, 'tensorrt')).rejects.toThrow(/TensorRT|shared library/i)
  })

  it('after the worker dies, the cache reopens the session in a fresh worker', async () => {
    const cache = new SessionCache(host.factory, () => undefined)
    const request = { modelId: 'm', modelPath: OFF_TANET_ONNX, input: { name: 'input', shape: [-1, 3, 112, 112] }, candidates: ['cpu'] }
    const first = await cache.acquire(request)
    await host.dispose() // as if it crashed
    expect(first.session.closed).toBe(true)
    const second = await cache.acquire(request)
    expect(second.session).not.toBe(first.session)
    expect((await second.session.run({ input })).logits!.dims).toEqual([1, 3])
  })
})
