/**
 * ONNX sessions cached per (model, execution provider actually used), opened by trying the
 * providers in order: a provider that fails to initialise is remembered as unavailable for this
 * process, announced once through `notify`, and the next one is tried. Before a model first runs
 * on a non-CPU provider it passes the parity gate (`parity.ts`): a mismatch or a kernel error pins
 * the model to CPU for that provider, announced once; in the automatic order a provider that
 * passed but is not faster than CPU for the model is skipped. Every new session is warmed up with
 * one zero-filled run so the first real prediction is not charged for graph optimisation and
 * memory planning; a non-CPU provider that fails it is pinned too.
 */
import { StudioError } from '@shared/ipc/errors'
import { autoSkipReason, missingProviderLibrary } from '../execution-providers'
import { firstLine, ProviderInitError, slowerReason, type GateModel, type ParityGate, type ProviderVerdict } from './parity'
import type { ModelSession, SessionFactory } from '../../workers/inference-protocol'

export interface ProviderFallback {
  provider: string
  reason: string
}

export interface AcquiredSession {
  session: ModelSession
  /** The provider the session runs on. */
  provider: string
  /** Providers tried before it that could not initialise, in order. */
  fallbacks: ProviderFallback[]
  /** Milliseconds of the warm-up run when the session was created. */
  warmupMs: number
}

export interface SessionRequest {
  modelId: string
  modelPath: string
  /** Input name and shape for the warm-up run; non-positive or symbolic dimensions become 1. */
  input: { name: string; shape: readonly (number | string)[] }
  /** Providers to try, in order (see `providerCandidates`). */
  candidates: readonly string[]
  /** The provider the user chose; the others are the automatic order (tried only where they beat CPU). */
  override?: string | null
  /** What the parity gate needs; without it non-CPU providers run unchecked. */
  parity?: Omit<GateModel, 'modelPath' | 'input'>
}

/** Where one provider stands for one model on this machine (Inspect menu, batch form, `info --providers`). */
export interface ProviderStanding {
  provider: string
  /** `reference`: CPU; `pass`/`pinned`: the parity gate's verdict; `unchecked`: no verdict yet. */
  status: 'reference' | 'pass' | 'pinned' | 'unavailable' | 'unchecked'
  /** One sentence: the reason, or why the automatic order uses it or not. */
  detail: string
  /** Whether the automatic order would run this model on it. */
  automatic: boolean
  verdict: ProviderVerdict | null
}

export interface SessionCacheOptions {
  gate?: ParityGate
  /** Why the automatic order skips a provider without trying it (default `autoSkipReason`). */
  autoSkip?: (provider: string) => string | null
}

interface Entry {
  session: ModelSession
  warmupMs: number
}

export class SessionCache {
  private readonly entries = new Map<string, Promise<Entry>>()
  private readonly unavailable = new Map<string, string>()
  /** (model, provider) pinned to CPU in this process, with the reason. */
  private readonly pinned = new Map<string, string>()

  constructor(
    private readonly factory: SessionFactory,
    private readonly notify: (message: string) => void,
    private readonly options: SessionCacheOptions = {},
  ) {}

  /** Providers that failed to initialise in this process, with the reason. */
  unavailableProviders(): ProviderFallback[] {
    return [...this.unavailable].map(([provider, reason]) => ({ provider, reason }))
  }

  async acquire(request: SessionRequest): Promise<AcquiredSession> {
    const fallbacks: ProviderFallback[] = []
    let lastError: unknown
    for (const provider of request.candidates) {
      const known = this.unavailable.get(provider)
      if (known !== undefined) {
        fallbacks.push({ provider, reason: known })
        continue
      }
      const key = `${request.modelId}\u0000${provider}`
      if (provider !== 'cpu') {
        let skip: string | null
        try {
          skip = await this.screen(request, provider)
        } catch (error) {
          if (!(error instanceof ProviderInitError)) throw error
          lastError = error
          this.markUnavailable(request, provider, error.message, fallbacks)
          continue
        }
        if (skip !== null) {
          fallbacks.push({ provider, reason: skip })
          continue
        }
      }
      let entry = this.entries.get(key)
      if (!entry) {
        entry = this.open(request, provider)
        this.entries.set(key, entry)
      }
      try {
        const { session, warmupMs } = await entry
        if (session.closed) {
          this.entries.delete(key)
          return this.acquire(request)
        }
        return { session, provider, fallbacks, warmupMs }
      } catch (error) {
        this.entries.delete(key)
        if (error instanceof StudioError) {
          // The provider initialised but the model failed its first run: CPU's failure is the
          // model's; another provider's is a kernel that provider lacks, so the model goes on without it.
          if (provider === 'cpu') throw error
          lastError = error
          fallbacks.push({ provider, reason: await this.pin(request, provider, firstLine(error)) })
          continue
        }
        lastError = error
        this.markUnavailable(request, provider, firstLine(error), fallbacks)
      }
    }
    throw lastError ?? new Error('no execution provider to try')
  }

  /**
   * Pins the model to CPU for `provider` after a kernel error (in a warm-up or a real run): its
   * session is closed, the verdict is kept on disk, one notice. Returns the fallback reason.
   */
  async pin(request: Pick<SessionRequest, 'modelId' | 'parity'>, provider: string, error: string): Promise<string> {
    const key = `${request.modelId}\u0000${provider}`
    const entry = this.entries.get(key)
    this.entries.delete(key)
    void entry?.then((e) => e.session.release()).catch(() => undefined)
    const reason = `kernel error at run time: ${error}`
    if (request.parity) await this.options.gate?.pin(request.parity, provider, error)
    this.announcePin(request, provider, reason)
    return this.pinned.get(key)!
  }

  /** Why `provider` is not used for this model (pinned, or slower than CPU in the automatic order), or null to use it. */
  private async screen(request: SessionRequest, provider: string): Promise<string | null> {
    const automatic = provider !== request.override
    const skip = automatic ? (this.options.autoSkip ?? autoSkipReason)(provider) : null
    if (skip) return skip
    const pinned = this.pinned.get(`${request.modelId}\u0000${provider}`)
    if (pinned) return pinned
    const gate = this.options.gate
    if (!gate || !request.parity) return null
    const verdict = await gate.check({ ...request.parity, modelPath: request.modelPath, input: request.input }, provider)
    if (verdict.status === 'pinned') {
      this.announcePin(request, provider, verdict.reason ?? 'failed its parity check')
      return this.pinned.get(`${request.modelId}\u0000${provider}`)!
    }
    return automatic ? slowerReason(verdict) : null
  }

  private announcePin(request: Pick<SessionRequest, 'modelId' | 'parity'>, provider: string, reason: string): void {
    const key = `${request.modelId}\u0000${provider}`
    if (this.pinned.has(key)) return
    this.pinned.set(key, `pinned to CPU: ${reason}`)
    this.notify(`Model ${request.parity?.label ?? request.modelId} is pinned to CPU on "${provider}": ${reason.replace(/\.$/, '')}.`)
  }

  private markUnavailable(request: SessionRequest, provider: string, reason: string, fallbacks: ProviderFallback[]): void {
    // Models warming up together each find the provider failing: one notice per run, not per model.
    const known = this.unavailable.has(provider)
    this.unavailable.set(provider, reason)
    fallbacks.push({ provider, reason })
    if (known) return
    const next = request.candidates.find((p, i) => i > request.candidates.indexOf(provider) && !this.unavailable.has(p))
    this.notify(
      next
        ? `Execution provider "${provider}" could not be initialised (${reason}); falling back to "${next}".`
        : `Execution provider "${provider}" could not be initialised (${reason}).`,
    )
  }

  /** Where each of `request.candidates` stands for the model; with `check`, providers without a verdict are checked now. */
  async standings(request: SessionRequest, check: boolean): Promise<ProviderStanding[]> {
    const out: ProviderStanding[] = []
    for (const provider of request.candidates) out.push(await this.standing(request, provider, check))
    return out
  }

  private async standing(request: SessionRequest, provider: string, check: boolean): Promise<ProviderStanding> {
    const stand = (status: ProviderStanding['status'], detail: string, automatic = false, verdict: ProviderVerdict | null = null): ProviderStanding => ({ provider, status, detail, automatic, verdict })
    if (provider === 'cpu') return stand('reference', 'the reference the other providers are compared with', true)
    const unavailable = this.unavailable.get(provider) ?? missingProviderLibrary(provider)
    if (unavailable) return stand('unavailable', unavailable)
    const gate = this.options.gate
    const model = request.parity ? { ...request.parity, modelPath: request.modelPath, input: request.input } : null
    let verdict = gate && model ? await gate.cached(model.sha256, provider) : undefined
    if (!verdict && check && gate && model) {
      try {
        verdict = await gate.check(model, provider)
      } catch (error) {
        if (!(error instanceof ProviderInitError)) throw error
        this.unavailable.set(provider, error.message)
        return stand('unavailable', error.message)
      }
    }
    const pinned = this.pinned.get(`${request.modelId}\u0000${provider}`)
    if (pinned || verdict?.status === 'pinned') return stand('pinned', pinned ?? `pinned to CPU: ${verdict!.reason}`, false, verdict ?? null)
    const skip = (this.options.autoSkip ?? autoSkipReason)(provider)
    if (!verdict) return stand('unchecked', skip ?? 'checked against CPU the first time the model runs on it')
    const l = verdict.latencyMs
    const timing = l ? ` (${l.provider.toPrecision(3)} ms per probe run against ${l.cpu.toPrecision(3)} ms on CPU)` : ''
    const why = skip ?? (slowerReason(verdict) ? 'slower than CPU for this model' : null)
    return stand('pass', `matches CPU${timing}; ${why ? `not used automatically: ${why}` : 'used by the automatic order'}`, !why, verdict)
  }

  /** Closes every session of `modelId` (after its file or card changed). */
  async evict(modelId: string): Promise<void> {
    const prefix = `${modelId}\u0000`
    const doomed = [...this.entries].filter(([key]) => key.startsWith(prefix))
    for (const [key] of doomed) this.entries.delete(key)
    await Promise.allSettled(doomed.map(async ([, entry]) => (await entry).session.release()))
  }

  async dispose(): Promise<void> {
    const all = [...this.entries.values()]
    this.entries.clear()
    await Promise.allSettled(all.map(async (entry) => (await entry).session.release()))
  }

  private async open(request: SessionRequest, provider: string): Promise<Entry> {
    const session = await this.factory(request.modelPath, provider)
    try {
      const dims = request.input.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1))
      const started = performance.now()
      await session.run({ [request.input.name]: { data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims } })
      return { session, warmupMs: performance.now() - started }
    } catch (error) {
      await session.release().catch(() => undefined)
      throw new StudioError('model/run-failed', `Model ${request.modelId} failed its warm-up run on "${provider}": ${firstLine(error)}`)
    }
  }
}
