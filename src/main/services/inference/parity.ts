/**
 * The parity gate: before a model first runs on a non-CPU execution provider, it runs on a fixed
 * probe input on that provider and on CPU, and every declared output is compared. A mismatch or a
 * kernel error pins the model to CPU for that provider. Verdicts are kept on disk per (model
 * sha256, provider, driver, onnxruntime version): a new driver or runtime is checked again.
 */
import { readFile } from 'node:fs/promises'
import { StudioError } from '@shared/ipc/errors'
import { providerDriver, onnxRuntimeVersion } from '../execution-providers'
import { writeFileAtomic } from '../fs-atomic'
import type { ModelSession, OutputTensor, SessionFactory } from '../../workers/inference-protocol'

/**
 * Largest difference allowed, as a fraction of the output's scale (its largest |value| on CPU).
 * float32 kernels that only reorder sums differ by ~1e-6 of the scale (4e-6 or less on every
 * bundled model that agrees on WebGPU); fp16 arithmetic (Core ML, some DirectML kernels) by
 * ~1e-3. 1e-3 keeps two orders of magnitude above float32 noise, and a logit error of 1e-3 × the
 * logits' scale moves no softmax probability by more than that amount. A wrong kernel is far above
 * it (Off-TANet on WebGPU: 0.2 of 1.0).
 */
export const RELATIVE_TOLERANCE = 1e-3
/** Outputs near zero everywhere are compared to float32's resolution there, not to their own scale. */
export const ABSOLUTE_FLOOR = 1e-6
/** The probe's seed: the same input on every machine, so verdicts are comparable. */
export const PROBE_SEED = 0x5eed
/** Timed runs per provider after the compared one (median reported). */
const TIMED_RUNS = 5

export interface OutputComparison {
  name: string
  maxAbsDiff: number
  /** Largest |value| of the CPU output. */
  scale: number
  tolerance: number
  ok: boolean
}

export interface ProviderVerdict {
  provider: string
  status: 'pass' | 'pinned'
  /** Why the model is pinned to CPU (the output and its difference, or the kernel error); null on pass. */
  reason: string | null
  outputs: OutputComparison[]
  /** Median milliseconds of one probe run (batch 1) on the provider and on CPU; null when the provider failed. */
  latencyMs: { provider: number; cpu: number } | null
  driver: string
  onnxruntime: string
  checkedAt: string
}

export interface GateModel {
  /** For notices (`off_tanet-demo`). */
  label: string
  modelPath: string
  sha256: string
  input: { name: string; shape: readonly (number | string)[] }
  /** Every declared output: logits, attention, others. */
  outputs: readonly string[]
}

/** Deterministic probe: uniform in [-1, 1) from a seeded mulberry32 stream, batch 1. */
export function probeInput(shape: readonly (number | string)[], seed: number = PROBE_SEED): { data: Float32Array; dims: number[] } {
  const dims = shape.map((d, i) => (i === 0 ? 1 : typeof d === 'number' && d > 0 ? d : 1))
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1))
  let state = seed >>> 0
  for (let i = 0; i < data.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    data[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1
  }
  return { data, dims }
}

/** Compares one output of `candidate` with the CPU `reference` (integer outputs must match exactly). */
export function compareOutput(name: string, reference: OutputTensor | undefined, candidate: OutputTensor | undefined): OutputComparison {
  if (!reference || !candidate || reference.data.length !== candidate.data.length || reference.dims.join('x') !== candidate.dims.join('x')) {
    return { name, maxAbsDiff: Infinity, scale: 0, tolerance: 0, ok: false }
  }
  let maxAbsDiff = 0
  let scale = 0
  const exact = !(reference.data instanceof Float32Array)
  for (let i = 0; i < reference.data.length; i++) {
    const r = Number(reference.data[i])
    const c = Number(candidate.data[i])
    const diff = Number.isNaN(r) && Number.isNaN(c) ? 0 : Math.abs(r - c)
    // NaN on one side only is as wrong as it gets.
    maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(diff) ? Infinity : diff)
    if (Number.isFinite(r)) scale = Math.max(scale, Math.abs(r))
  }
  const tolerance = exact ? 0 : Math.max(RELATIVE_TOLERANCE * scale, ABSOLUTE_FLOOR)
  return { name, maxAbsDiff, scale, tolerance, ok: maxAbsDiff <= tolerance }
}

export function verdictKey(sha256: string, provider: string, driver: string, onnxruntime: string): string {
  return [sha256, provider, driver, onnxruntime].join('|')
}

/** Verdicts on disk (one JSON file), read once, merged with the file on every write (several CLI processes may share it). */
export class VerdictStore {
  private cache: Record<string, ProviderVerdict> | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(private readonly path: string) {}

  async get(key: string): Promise<ProviderVerdict | undefined> {
    return (await this.load())[key]
  }

  set(key: string, verdict: ProviderVerdict): Promise<void> {
    this.writing = this.writing.then(async () => {
      const merged = { ...(await this.read()), ...(await this.load()), [key]: verdict }
      this.cache = merged
      await writeFileAtomic(this.path, JSON.stringify(merged, null, 1) + '\n')
    })
    return this.writing
  }

  private async load(): Promise<Record<string, ProviderVerdict>> {
    this.cache ??= await this.read()
    return this.cache
  }

  private async read(): Promise<Record<string, ProviderVerdict>> {
    try {
      const json: unknown = JSON.parse(await readFile(this.path, 'utf8'))
      return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, ProviderVerdict>) : {}
    } catch {
      // Missing or unreadable: every model is checked again, which is only slower.
      return {}
    }
  }
}

/** Thrown when the provider cannot even open the model: not a verdict, the provider is unavailable. */
export class ProviderInitError extends Error {}

export interface ParityGateOptions {
  /** Opens sessions (the worker host's factory in the studio: the gate runs where sessions run). */
  factory: SessionFactory
  store: VerdictStore
  /** Driver fingerprint per provider; default `providerDriver`. */
  driver?: (provider: string) => string
  onnxruntime?: string
}

export class ParityGate {
  private readonly inFlight = new Map<string, Promise<ProviderVerdict>>()
  private readonly driver: (provider: string) => string
  readonly onnxruntime: string

  constructor(private readonly options: ParityGateOptions) {
    // Read once per provider: the key is computed for every prediction.
    const drivers = new Map<string, string>()
    const read = options.driver ?? ((p: string) => providerDriver(p))
    this.driver = (p) => drivers.get(p) ?? drivers.set(p, read(p)).get(p)!
    this.onnxruntime = options.onnxruntime ?? onnxRuntimeVersion()
  }

  /** The cached verdict of `model` on `provider` on this machine, without checking. */
  async cached(sha256: string, provider: string): Promise<ProviderVerdict | undefined> {
    return this.options.store.get(verdictKey(sha256, provider, this.driver(provider), this.onnxruntime))
  }

  /** The verdict, checked now when there is none for this driver and runtime. Throws `ProviderInitError` when the provider cannot open the model. */
  check(model: GateModel, provider: string): Promise<ProviderVerdict> {
    const key = verdictKey(model.sha256, provider, this.driver(provider), this.onnxruntime)
    let pending = this.inFlight.get(key)
    if (!pending) {
      pending = (async () => (await this.options.store.get(key)) ?? this.record(key, await this.measure(model, provider)))().finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, pending)
    }
    return pending
  }

  /** Pins `model` on `provider` after a kernel error at run time (a shape the probe did not exercise). */
  async pin(model: Pick<GateModel, 'sha256'>, provider: string, reason: string): Promise<ProviderVerdict> {
    const key = verdictKey(model.sha256, provider, this.driver(provider), this.onnxruntime)
    const previous = await this.options.store.get(key)
    return this.record(key, { ...this.blank(provider), outputs: previous?.outputs ?? [], reason: `kernel error at run time: ${reason}` })
  }

  private async record(key: string, verdict: ProviderVerdict): Promise<ProviderVerdict> {
    await this.options.store.set(key, verdict)
    return verdict
  }

  private blank(provider: string): ProviderVerdict {
    return { provider, status: 'pinned', reason: null, outputs: [], latencyMs: null, driver: this.driver(provider), onnxruntime: this.onnxruntime, checkedAt: new Date().toISOString() }
  }

  private async measure(model: GateModel, provider: string): Promise<ProviderVerdict> {
    const probe = { [model.input.name]: probeInput(model.input.shape) }
    let session: ModelSession
    try {
      session = await this.options.factory(model.modelPath, provider)
    } catch (error) {
      throw new ProviderInitError(firstLine(error))
    }
    let cpu: ModelSession | null = null
    try {
      let candidate: Record<string, OutputTensor>
      try {
        candidate = await session.run(probe)
      } catch (error) {
        return { ...this.blank(provider), reason: `kernel error: ${firstLine(error)}` }
      }
      // The reference failing is the model's fault, not the provider's.
      const modelError = (what: string) => (error: unknown) => {
        throw new StudioError('model/run-failed', `Model ${model.label} ${what} on cpu for its parity check: ${firstLine(error)}`)
      }
      cpu = await this.options.factory(model.modelPath, 'cpu').catch(modelError('cannot open'))
      const reference = await cpu.run(probe).catch(modelError('failed its probe'))
      const outputs = model.outputs.map((name) => compareOutput(name, reference[name], candidate[name]))
      const worst = outputs.find((o) => !o.ok)
      return {
        ...this.blank(provider),
        status: worst ? 'pinned' : 'pass',
        reason: worst ? describeMismatch(worst) : null,
        outputs,
        latencyMs: await interleavedMedians(session, cpu, probe),
      }
    } finally {
      await session.release().catch(() => undefined)
      await cpu?.release().catch(() => undefined)
    }
  }
}

export function describeMismatch(o: OutputComparison): string {
  if (!Number.isFinite(o.maxAbsDiff)) return `output "${o.name}" is missing, has another shape, or is NaN where CPU's is not`
  return `output "${o.name}" differs from CPU by ${fmt(o.maxAbsDiff)} (tolerance ${fmt(o.tolerance)}, scale ${fmt(o.scale)})`
}

/** Why the automatic order skips a provider that passed: it is not faster than CPU for this model. */
export function slowerReason(verdict: ProviderVerdict): string | null {
  const l = verdict.latencyMs
  if (!l || l.provider < l.cpu) return null
  return `slower than CPU for this model (${fmt(l.provider)} ms against ${fmt(l.cpu)} ms per run)`
}

/**
 * Median run time on each session, runs alternating, so that load from elsewhere (or a software
 * GPU's worker threads still spinning) weighs on both alike.
 */
async function interleavedMedians(provider: ModelSession, cpu: ModelSession, feeds: Parameters<ModelSession['run']>[0]): Promise<{ provider: number; cpu: number }> {
  const times = { provider: [] as number[], cpu: [] as number[] }
  for (let i = 0; i < TIMED_RUNS; i++) {
    for (const [key, session] of [['provider', provider], ['cpu', cpu]] as const) {
      const started = performance.now()
      await session.run(feeds)
      times[key].push(performance.now() - started)
    }
  }
  const median = (t: number[]) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!
  return { provider: median(times.provider), cpu: median(times.cpu) }
}

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 0.01 && Math.abs(x) < 1000 ? String(Number(x.toPrecision(3))) : x.toExponential(2)
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim() || 'unknown error'
}
