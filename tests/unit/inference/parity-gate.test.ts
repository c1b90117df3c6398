import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { InputBuilder } from '../../../src/main/services/inference/inputs'
import { compareOutput, ParityGate, probeInput, RELATIVE_TOLERANCE, VerdictStore, type ProviderVerdict } from '../../../src/main/services/inference/parity'
import { InferenceService } from '../../../src/main/services/inference/predict'
import { ModelRegistry } from '../../../src/main/services/inference/registry'
import type { ModelSession, OutputTensor, SessionFactory } from '../../../src/main/workers/inference-protocol'
import { SessionCache } from '../../../src/main/services/inference/session-cache'
import { inlineVisionCompute } from '../../../src/main/services/inference/vision-compute'
import { offTanetCard } from '../../helpers/inference-fixture'

const f32 = (dims: number[], values: number[]): OutputTensor => ({ type: 'float32', dims, data: new Float32Array(values) })

interface Behaviour {
  /** Added to the logits on this provider. */
  offset?: number
  /** Thrown by every run, or by runs whose input starts with 42 (an input the probe never makes). */
  fails?: 'always' | 'on-42'
  delayMs?: number
  /** Cannot initialise (its library is missing). */
  missing?: boolean
}

/** Sessions whose outputs are those of a 3-class model with one attention map; per-provider behaviour. */
function fakeFactory(behaviour: Record<string, Behaviour>) {
  const runs: string[] = []
  const factory: SessionFactory = async (_path, provider) => {
    const b = behaviour[provider] ?? {}
    if (b.missing) throw new Error(`${provider} library is not installed`)
    const session: ModelSession = {
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 3] }],
      outputs: [],
      async run(feeds) {
        runs.push(provider)
        const first = Object.values(feeds)[0]!.data[0]
        if (b.fails === 'always' || (b.fails === 'on-42' && first === 42)) throw new Error(`Non-zero status code returned while running ConvTranspose node.\nstack`)
        if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs))
        const o = b.offset ?? 0
        return {
          logits: f32([1, 3], [1 + o, 2, 3]),
          channel_attention: f32([1, 28], new Array(28).fill(0.5)),
          spatial_attention: f32([1, 1, 14, 14], new Array(196).fill(0.1)),
          self_attention: f32([1, 4, 7, 14, 14], new Array(4 * 7 * 196).fill(0.01)),
        }
      },
      async release() {},
    }
    return session
  }
  return { factory, runs }
}

const card = offTanetCard()
const outputs = ['logits', 'channel_attention', 'spatial_attention', 'self_attention']
const parity = { label: card.id, sha256: card.file.sha256, outputs }
const request = (candidates: string[], override: string | null = null) => ({ modelId: 'm', modelPath: '/x.onnx', input: { name: 'input', shape: [-1, 3, 112, 112] }, candidates, override, parity })
const verdictFile = () => join(mkdtempSync(join(tmpdir(), 'me-verdicts-')), 'provider-verdicts.json')
const gateOn = (factory: SessionFactory, file: string) => new ParityGate({ factory, store: new VerdictStore(file), driver: (p) => `${p}-driver 1.0`, onnxruntime: '1.30.0' })
const noAutoSkip = { autoSkip: () => null }

describe('probe input', () => {
  it('is deterministic, batch 1, uniform in [-1, 1)', () => {
    const a = probeInput([-1, 3, 4, 4])
    expect(a.dims).toEqual([1, 3, 4, 4])
    expect(a.data).toEqual(probeInput([-1, 3, 4, 4]).data)
    expect(a.data).not.toEqual(probeInput([-1, 3, 4, 4], 2).data)
    expect(Math.min(...a.data)).toBeGreaterThanOrEqual(-1)
    expect(Math.max(...a.data)).toBeLessThan(1)
    expect(new Set(a.data).size).toBe(48)
  })
})

describe('compareOutput', () => {
  it('allows differences up to the relative tolerance of the output scale, no more', () => {
    const ref = f32([1, 3], [0.5, -4, 2])
    expect(compareOutput('logits', ref, f32([1, 3], [0.5, -4 + 3.9e-3, 2]))).toMatchObject({ ok: true, scale: 4, tolerance: 4 * RELATIVE_TOLERANCE })
    expect(compareOutput('logits', ref, f32([1, 3], [0.5, -4, 2.0041]))).toMatchObject({ ok: false })
  })

  it('fails a NaN, a missing output or another shape; compares integer outputs exactly', () => {
    const ref = f32([1, 2], [1, 2])
    expect(compareOutput('x', ref, f32([1, 2], [1, Number.NaN])).ok).toBe(false)
    expect(compareOutput('x', ref, undefined).ok).toBe(false)
    expect(compareOutput('x', ref, f32([2, 1], [1, 2])).ok).toBe(false)
    const label = (v: bigint): OutputTensor => ({ type: 'int64', dims: [1], data: new BigInt64Array([v]) })
    expect(compareOutput('label', label(2n), label(2n))).toMatchObject({ ok: true, maxAbsDiff: 0 })
    expect(compareOutput('label', label(2n), label(1n)).ok).toBe(false)
  })
})

describe('parity gate in the session cache', () => {
  it('pins a model whose outputs differ on a provider to CPU, with one notice naming provider, output and difference', async () => {
    const { factory, runs } = fakeFactory({ webgpu: { offset: 0.5 } })
    const file = verdictFile()
    const notices: string[] = []
    const cache = new SessionCache(factory, (m) => notices.push(m), { gate: gateOn(factory, file), ...noAutoSkip })
    const first = await cache.acquire(request(['webgpu', 'cpu'], 'webgpu'))
    expect(first.provider).toBe('cpu')
    expect(first.fallbacks).toEqual([{ provider: 'webgpu', reason: 'pinned to CPU: output "logits" differs from CPU by 0.5 (tolerance 3.00e-3, scale 3)' }])
    expect(notices).toEqual(['Model off_tanet-untrained is pinned to CPU on "webgpu": output "logits" differs from CPU by 0.5 (tolerance 3.00e-3, scale 3).'])
    const second = await cache.acquire(request(['webgpu', 'cpu'], 'webgpu'))
    expect(second.provider).toBe('cpu')
    expect(notices).toHaveLength(1)
    // Kept on disk under (sha256, provider, driver, runtime): a new process does not probe again.
    const stored = Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProviderVerdict>)
    expect(stored.map(([key, v]) => [key, v.status])).toEqual([[`${card.file.sha256}|webgpu|webgpu-driver 1.0|1.30.0`, 'pinned']])
    const probesBefore = runs.filter((p) => p === 'webgpu').length
    const later = new SessionCache(factory, () => undefined, { gate: gateOn(factory, file), ...noAutoSkip })
    expect((await later.acquire(request(['webgpu', 'cpu'], 'webgpu'))).provider).toBe('cpu')
    expect(runs.filter((p) => p === 'webgpu').length).toBe(probesBefore)
  })

  it('pins on a kernel error in the probe, and checks again under another driver', async () => {
    const { factory } = fakeFactory({ webgpu: { fails: 'always' } })
    const file = verdictFile()
    const cache = new SessionCache(factory, () => undefined, { gate: gateOn(factory, file), ...noAutoSkip })
    const got = await cache.acquire(request(['webgpu', 'cpu'], 'webgpu'))
    expect(got.fallbacks[0]!.reason).toBe('pinned to CPU: kernel error: Non-zero status code returned while running ConvTranspose node.')
    const fixedDriver = new ParityGate({ factory: fakeFactory({}).factory, store: new VerdictStore(file), driver: () => 'webgpu-driver 2.0', onnxruntime: '1.30.0' })
    expect((await fixedDriver.check({ ...parity, modelPath: '/x.onnx', input: { name: 'input', shape: [-1, 3] } }, 'webgpu')).status).toBe('pass')
  })

  it('uses a provider that passed but is slower than CPU only when the user chose it', async () => {
    const { factory } = fakeFactory({ webgpu: { delayMs: 5 } })
    const cache = new SessionCache(factory, () => undefined, { gate: gateOn(factory, verdictFile()), ...noAutoSkip })
    const auto = await cache.acquire(request(['webgpu', 'cpu']))
    expect(auto.provider).toBe('cpu')
    expect(auto.fallbacks[0]!.reason).toMatch(/^slower than CPU for this model \(\S+ ms against \S+ ms per run\)$/)
    expect((await cache.acquire(request(['webgpu', 'cpu'], 'webgpu'))).provider).toBe('webgpu')
    const standing = (await cache.standings(request(['webgpu', 'cpu']), false)).map((s) => [s.provider, s.status, s.automatic])
    expect(standing).toEqual([['webgpu', 'pass', false], ['cpu', 'reference', true]])
  })

  it('reports a provider that cannot open the model as unavailable, not as a verdict', async () => {
    const factory: SessionFactory = async (path, provider) => {
      if (provider === 'webgpu') throw new Error('Failed to get a WebGPU adapter')
      return fakeFactory({}).factory(path, provider)
    }
    const file = verdictFile()
    const cache = new SessionCache(factory, () => undefined, { gate: gateOn(factory, file), ...noAutoSkip })
    const got = await cache.acquire(request(['webgpu', 'cpu'], 'webgpu'))
    expect(got.fallbacks).toEqual([{ provider: 'webgpu', reason: 'Failed to get a WebGPU adapter' }])
    expect(cache.unavailableProviders().map((p) => p.provider)).toEqual(['webgpu'])
    expect((await cache.standings(request(['webgpu', 'cpu']), true))[0]).toMatchObject({ status: 'unavailable', detail: 'Failed to get a WebGPU adapter' })
  })
})

describe('fallback at run time', () => {
  it('a provider that fails during run falls back to CPU once, pins the model, and later runs go straight to CPU', async () => {
    const { factory, runs } = fakeFactory({ webgpu: { fails: 'on-42' }, cuda: { missing: true }, tensorrt: { missing: true } })
    const file = verdictFile()
    const notices: string[] = []
    const inference = new InferenceService({
      registry: new ModelRegistry({ bundledDir: '/nonexistent', userDir: '/nonexistent', factory }),
      sessions: new SessionCache(factory, (m) => notices.push(m), { gate: gateOn(factory, file), ...noAutoSkip }),
      inputs: new InputBuilder({ compute: inlineVisionCompute }),
      platform: 'linux',
    })
    const input = { data: new Float32Array(3 * 112 * 112).fill(42), dims: [1, 3, 112, 112] }
    const first = await inference.runModel(card, '/x.onnx', input, { provider: 'webgpu' })
    expect(first.provider).toBe('cpu')
    expect(first.scores).toEqual([1, 2, 3])
    expect(first.fallbacks.at(-1)).toEqual({ provider: 'webgpu', reason: 'pinned to CPU: kernel error at run time: Non-zero status code returned while running ConvTranspose node.' })
    const pins = () => notices.filter((n) => n.includes('pinned'))
    expect(pins()).toEqual(['Model off_tanet-untrained is pinned to CPU on "webgpu": kernel error at run time: Non-zero status code returned while running ConvTranspose node.'])
    const webgpuRuns = runs.filter((p) => p === 'webgpu').length
    const second = await inference.runModel(card, '/x.onnx', input, { provider: 'webgpu' })
    expect(second.provider).toBe('cpu')
    expect(runs.filter((p) => p === 'webgpu').length).toBe(webgpuRuns)
    expect(pins()).toHaveLength(1)
    expect(Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProviderVerdict>)[0]).toMatchObject({ status: 'pinned', reason: expect.stringContaining('kernel error at run time') })
    expect(inference.providersRan()).toEqual(['cpu'])
  })

  it('a failure on CPU too is the model’s error, and the provider is not pinned', async () => {
    const { factory } = fakeFactory({ webgpu: { fails: 'on-42' }, cpu: { fails: 'on-42' } })
    const cache = new SessionCache(factory, () => undefined, { gate: gateOn(factory, verdictFile()), ...noAutoSkip })
    const inference = new InferenceService({ registry: new ModelRegistry({ bundledDir: '/nonexistent', userDir: '/nonexistent', factory }), sessions: cache, inputs: new InputBuilder({ compute: inlineVisionCompute }), platform: 'linux' })
    const input = { data: new Float32Array(3 * 112 * 112).fill(42), dims: [1, 3, 112, 112] }
    await expect(inference.runModel(card, '/x.onnx', input, { provider: 'webgpu' })).rejects.toMatchObject({ code: 'model/run-failed', message: expect.stringContaining('failed on cpu') })
    expect((await cache.standings(request(['webgpu', 'cpu']), false))[0]!.status).toBe('pass')
  })
})
