import { describe, expect, it } from 'vitest'
import { providerCandidates } from '../../../src/main/services/execution-providers'
import type { ModelSession, SessionFactory } from '../../../src/main/workers/inference-protocol'
import { SessionCache } from '../../../src/main/services/inference/session-cache'

/** A session factory where the named providers fail to initialise, as when their libraries are missing. */
function fakeFactory(unavailable: Record<string, string>, runError?: Error) {
  const calls: string[] = []
  const factory: SessionFactory = async (_path, provider) => {
    calls.push(provider)
    if (provider in unavailable) throw new Error(unavailable[provider])
    const session: ModelSession = {
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 3] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 3] }],
      async run() {
        if (runError) throw runError
        return { logits: { type: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) } }
      },
      async release() {},
    }
    return session
  }
  return { factory, calls }
}

const request = (candidates: string[], modelId = 'm') => ({ modelId, modelPath: '/x.onnx', input: { name: 'input', shape: [-1, 3] }, candidates })

describe('provider order', () => {
  it('puts GPU providers first per platform, CPU last, and the user override first', () => {
    expect(providerCandidates('linux')).toEqual(['cuda', 'tensorrt', 'webgpu', 'cpu'])
    expect(providerCandidates('win32')).toEqual(['cuda', 'tensorrt', 'dml', 'webgpu', 'cpu'])
    expect(providerCandidates('darwin')).toEqual(['coreml', 'webgpu', 'cpu'])
    expect(providerCandidates('linux', 'cpu')).toEqual(['cpu', 'cuda', 'tensorrt', 'webgpu'])
    expect(providerCandidates('win32', 'dml')).toEqual(['dml', 'cuda', 'tensorrt', 'webgpu', 'cpu'])
  })
})

describe('SessionCache provider fallback', () => {
  it('says a provider failed once per run when several models start together', async () => {
    const { factory, calls } = fakeFactory({ cuda: 'Failed to load shared library libcudart.so', tensorrt: 'Failed to load shared library libnvinfer.so' })
    const notices: string[] = []
    const cache = new SessionCache(factory, (m) => notices.push(m), { autoSkip: (p) => (p === 'webgpu' ? 'software Vulkan only' : null) })
    const acquired = await Promise.all(['a', 'b', 'c'].map((id) => cache.acquire(request(providerCandidates('linux'), id))))
    expect(acquired.map((a) => a.provider)).toEqual(['cpu', 'cpu', 'cpu'])
    expect(calls.filter((p) => p === 'cuda').length).toBeGreaterThan(1) // they did start together
    expect(notices.map((n) => /"(\w+)"/.exec(n)![1])).toEqual(['cuda', 'tensorrt'])
  })

  it('falls back past providers that fail to initialise, with one visible notice each, and reports the one used', async () => {
    const { factory, calls } = fakeFactory({ cuda: 'Failed to load shared library libcudart.so', tensorrt: 'Failed to load shared library libnvinfer.so' })
    const notices: string[] = []
    // As on a Linux machine without a GPU device: WebGPU is not even tried automatically.
    const cache = new SessionCache(factory, (m) => notices.push(m), { autoSkip: (p) => (p === 'webgpu' ? 'software Vulkan only' : null) })
    const first = await cache.acquire(request(providerCandidates('linux')))
    expect(first.provider).toBe('cpu')
    expect(first.fallbacks.map((f) => f.provider)).toEqual(['cuda', 'tensorrt', 'webgpu'])
    expect(first.fallbacks[0]!.reason).toContain('libcudart')
    expect(notices).toEqual([
      'Execution provider "cuda" could not be initialised (Failed to load shared library libcudart.so); falling back to "tensorrt".',
      'Execution provider "tensorrt" could not be initialised (Failed to load shared library libnvinfer.so); falling back to "webgpu".',
    ])
    // A second model does not retry the providers known to be unavailable, and no new notice appears.
    const second = await cache.acquire(request(providerCandidates('linux'), 'other'))
    expect(second.provider).toBe('cpu')
    expect(second.fallbacks.map((f) => f.provider)).toEqual(['cuda', 'tensorrt', 'webgpu'])
    expect(calls).toEqual(['cuda', 'tensorrt', 'cpu', 'cpu'])
    expect(notices).toHaveLength(2)
    expect(cache.unavailableProviders().map((p) => p.provider)).toEqual(['cuda', 'tensorrt'])
  })

  it('caches one warmed-up session per (model, provider)', async () => {
    const { factory, calls } = fakeFactory({})
    const cache = new SessionCache(factory, () => undefined)
    const a = await cache.acquire(request(['cuda', 'cpu']))
    const b = await cache.acquire(request(['cuda', 'cpu']))
    expect(a.session).toBe(b.session)
    expect(a.provider).toBe('cuda')
    expect(a.warmupMs).toBeGreaterThanOrEqual(0)
    const c = await cache.acquire(request(['cpu']))
    expect(c.session).not.toBe(a.session)
    expect(calls).toEqual(['cuda', 'cpu'])
    await cache.evict('m')
    await cache.acquire(request(['cpu']))
    expect(calls).toEqual(['cuda', 'cpu', 'cpu'])
  })

  it('honours an override that works and falls back with a notice when it does not', async () => {
    const { factory } = fakeFactory({ dml: 'no available backend found. ERR: [dml] backend not found.' })
    const notices: string[] = []
    const cache = new SessionCache(factory, (m) => notices.push(m), { autoSkip: () => null })
    const got = await cache.acquire(request(providerCandidates('win32', 'dml')))
    expect(got.provider).toBe('cuda')
    expect(notices[0]).toContain('"dml" could not be initialised')
  })

  it('a model that fails its warm-up run is a model error, not an unavailable provider', async () => {
    const { factory } = fakeFactory({}, new Error('Non-zero status code returned while running Conv node'))
    const cache = new SessionCache(factory, () => undefined)
    await expect(cache.acquire(request(['cuda', 'cpu']))).rejects.toMatchObject({ code: 'model/run-failed' })
    expect(cache.unavailableProviders()).toEqual([])
  })

  it('rejects when no provider can open the model', async () => {
    const { factory } = fakeFactory({ cpu: 'broken' })
    const cache = new SessionCache(factory, () => undefined)
    await expect(cache.acquire(request(['cpu']))).rejects.toThrow('broken')
  })
})
