import { statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import type * as Ort from 'onnxruntime-node'
import type { ModelSession, OutputTensor, SessionFactory, SessionHost, ValueInfo } from '../../workers/inference-protocol'
import { missingProviderLibrary } from '../execution-providers'

/** Reads inputs/outputs only: a CPU session, not cached (for validating a card against its file). */
export async function readModelSignature(factory: SessionFactory, modelPath: string): Promise<{ inputs: ValueInfo[]; outputs: ValueInfo[] }> {
  const session = await factory(modelPath, 'cpu')
  try {
    return { inputs: session.inputs, outputs: session.outputs }
  } finally {
    await session.release()
  }
}

/** The real factory: onnxruntime-node, loaded lazily so the CLI's other commands do not pay for it. */
export const ortSessionFactory: SessionFactory = async (modelPath, provider) => {
  // Refuse early, with the reason, instead of letting ORT log a library-load failure.
  const missing = missingProviderLibrary(provider)
  if (missing) throw new Error(missing)
  const ort = await import('onnxruntime-node')
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // ORT's default uses every core; one is left to the main event loop so the UI stays responsive.
    intraOpNumThreads: Math.max(1, availableParallelism() - 1),
  })
  const info = (meta: readonly Ort.InferenceSession.ValueMetadata[]): ValueInfo[] =>
    meta.map((m) => (m.isTensor ? { name: m.name, type: m.type, shape: [...m.shape] } : { name: m.name, type: null, shape: [] }))
  return {
    inputs: info(session.inputMetadata),
    outputs: info(session.outputMetadata),
    async run(feeds) {
      const tensors: Record<string, Ort.Tensor> = {}
      for (const [name, { data, dims }] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', data, dims)
      const results = await session.run(tensors)
      const out: Record<string, OutputTensor> = {}
      for (const [name, tensor] of Object.entries(results)) {
        out[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data as OutputTensor['data'] }
      }
      return out
    },
    release: () => session.release(),
  }
}

/**
 * Sessions on the calling thread, for a one-shot command whose main thread waits while its batch
 * runs (`me-studio predict`): no worker to start (Node's bootstrap of a thread, ≈60 ms CPU) and no
 * message per run. The app keeps its sessions in the worker (`SessionWorkerHost`): a run blocks the
 * thread it runs on.
 */
export const inProcessSessions: SessionHost = {
  factory: ortSessionFactory,
  start: () => void import('onnxruntime-node').catch(() => undefined),
  dispose: async () => undefined,
}

/**
 * A kept session belongs to the file as it was: a new version written over the same path (a
 * confirmed replacement in the registry) has another inode and time, so it never gets the old one.
 */
function handoffKey(modelPath: string, provider: string): string {
  const facts = statSync(modelPath, { throwIfNoEntry: false })
  return `${modelPath}\u0000${provider}\u0000${facts ? `${facts.ino}:${facts.mtimeMs}:${facts.size}` : 'missing'}`
}

/**
 * Opens each model file once for its check and its use: a session opened by `signatureFactory`
 * (the registry's check, CPU) is not closed when the check releases it but kept for `keepMs`, and
 * `factory` (the session cache's) hands it over when the same file is opened on the same provider —
 * the prediction that follows a check no longer opens the model a second time. Not taken in
 * time, it is closed.
 */
export class SessionHandoff {
  private readonly kept = new Map<string, { session: ModelSession; timer: ReturnType<typeof setTimeout> }>()

  constructor(
    private readonly open: SessionFactory,
    private readonly keepMs = 10_000,
  ) {}

  /** For the session cache: the kept session of this file and provider, else a new one. */
  readonly factory: SessionFactory = async (modelPath, provider) => {
    const key = handoffKey(modelPath, provider)
    const kept = this.kept.get(key)
    if (kept) {
      this.kept.delete(key)
      clearTimeout(kept.timer)
      if (!kept.session.closed) return kept.session
      void kept.session.release().catch(() => undefined)
    }
    return this.open(modelPath, provider)
  }

  /** For the registry's check: a new session whose `release` keeps it for `factory`. */
  readonly signatureFactory: SessionFactory = async (modelPath, provider) => {
    const session = await this.open(modelPath, provider)
    const keep = async (): Promise<void> => {
      const key = handoffKey(modelPath, provider)
      const previous = this.kept.get(key)
      if (previous) this.drop(key, previous)
      const timer = setTimeout(() => {
        const entry = this.kept.get(key)
        if (entry) this.drop(key, entry)
      }, this.keepMs)
      timer.unref?.()
      this.kept.set(key, { session, timer })
    }
    return {
      get inputs() {
        return session.inputs
      },
      get outputs() {
        return session.outputs
      },
      run: (feeds) => session.run(feeds),
      release: keep,
    }
  }

  /** Closes the sessions not taken. */
  async dispose(): Promise<void> {
    const entries = [...this.kept]
    this.kept.clear()
    for (const [, { session, timer }] of entries) {
      clearTimeout(timer)
      await session.release().catch(() => undefined)
    }
  }

  private drop(key: string, entry: { session: ModelSession; timer: ReturnType<typeof setTimeout> }): void {
    this.kept.delete(key)
    clearTimeout(entry.timer)
    void entry.session.release().catch(() => undefined)
  }
}
