/**
 * ONNX sessions cached per (model, execution provider actually used), opened by trying the
 * providers in order: a provider that fails to initialise is remembered as unavailable for this
 * process, announced once through `notify`, and the next one is tried. Every new session is
 * warmed up with one zero-filled run so the first real prediction is not charged for
 * graph optimisation and memory planning.
 */
import { StudioError } from '@shared/ipc'
import type { ModelSession, SessionFactory } from './session'

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
}

interface Entry {
  session: ModelSession
  warmupMs: number
}

export class SessionCache {
  private readonly entries = new Map<string, Promise<Entry>>()
  private readonly unavailable = new Map<string, string>()

  constructor(
    private readonly factory: SessionFactory,
    private readonly notify: (message: string) => void,
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
        // The provider initialised but the model failed its first run: not the provider's fault.
        if (error instanceof StudioError) throw error
        lastError = error
        const reason = firstLine(error)
        this.unavailable.set(provider, reason)
        fallbacks.push({ provider, reason })
        const next = request.candidates.find((p, i) => i > request.candidates.indexOf(provider) && !this.unavailable.has(p))
        this.notify(
          next
            ? `Execution provider "${provider}" could not be initialised (${reason}); falling back to "${next}".`
            : `Execution provider "${provider}" could not be initialised (${reason}).`,
        )
      }
    }
    throw lastError ?? new Error('no execution provider to try')
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

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!.trim() || 'unknown error'
}
