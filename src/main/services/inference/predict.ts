/**
 * Predictions: build the input a card asks for, run the model on the best execution provider
 * that initialises, and return probabilities (softmax of the class scores), the predicted class,
 * the provider actually used, timings, and every declared attention output as a typed array with
 * its shape. Recent predictions are kept (bounded) so their attention tensors and face crops can
 * be served as binary media, never as JSON.
 */
import { randomUUID } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import type { AttentionOutput, ModelCard } from '@shared/domain/model-card'
import { argmax, softmax } from '@shared/inference/attention'
import { StudioError } from '@shared/ipc/errors'
import { providerCandidates } from '../execution-providers'
import type { BuiltInput, InputBuilder } from './inputs'
import { firstLine } from './parity'
import type { ModelRegistry } from './registry'
import type { InferenceSample } from './sample'
import type { ProviderFallback, ProviderStanding, SessionCache, SessionRequest } from './session-cache'

export interface AttentionTensor {
  name: string
  kind: AttentionOutput['kind']
  /** Shape as returned, batch axis included ([1, …]). */
  shape: number[]
  data: Float32Array
}

export interface Prediction {
  id: string
  modelId: string
  modelVersion: string
  /** The sample's cache identity. */
  sampleKey: string
  recipeId: string
  classes: string[]
  scoreKind: ModelCard['outputs']['logits']['kind']
  scores: number[]
  probabilities: number[]
  predictedIndex: number
  predictedClass: string
  /** The execution provider the session actually ran on. */
  provider: string
  fallbacks: ProviderFallback[]
  timings: { preprocessMs: number; inferenceMs: number; warmupMs: number }
  attention: AttentionTensor[]
  input: Pick<BuiltInput, 'frameIndices' | 'apex' | 'warnings' | 'faceCrop' | 'dims' | 'alignment' | 'flowMagnitude'>
  createdAt: string
}

export interface PredictOptions {
  /** User override: tried first, then the platform order. */
  provider?: string | null
  signal?: AbortSignal
  /** Also report the input's per-step flow magnitudes (`input.flowMagnitude`). */
  flowSummary?: boolean
  /** Keep the prediction for the attention and face-crop routes (default true; a batch serves neither). */
  remember?: boolean
}

export interface InferenceServiceOptions {
  registry: ModelRegistry
  sessions: SessionCache
  inputs: InputBuilder
  platform?: NodeJS.Platform
  /** Predictions kept for the media routes. Default 64. */
  keep?: number
  /** Called after the sessions are closed (e.g. to stop their worker). */
  onDispose?: () => Promise<void>
  /** Called first by `warmUp` and by `startSessions` (e.g. to start the sessions' worker). */
  onWarmUp?: () => void
}

export class InferenceService {
  /** The last `keep` predictions; looking one up does not keep it longer (`peek`). */
  private readonly recent: LRUCache<string, Prediction>
  private readonly ran = new Set<string>()

  constructor(private readonly options: InferenceServiceOptions) {
    this.recent = new LRUCache({ max: Math.max(1, options.keep ?? 64) })
  }

  get registry(): ModelRegistry {
    return this.options.registry
  }

  get inputs(): InputBuilder {
    return this.options.inputs
  }

  /** Providers that failed to initialise in this process, with the reason. */
  unavailableProviders(): ProviderFallback[] {
    return this.options.sessions.unavailableProviders()
  }

  /** Providers a prediction has really run on in this process, in the order they first ran (the status bar lists these). */
  providersRan(): string[] {
    return [...this.ran]
  }

  /**
   * Where each provider of this platform stands for `modelId` on this machine: CPU is the
   * reference; the others passed or were pinned by the parity gate, are unavailable, or are not
   * checked yet. With `check`, unchecked providers are checked now (slow on a software GPU).
   */
  async providerStandings(modelId: string, options: { check?: boolean } = {}): Promise<ProviderStanding[]> {
    const { card, onnxPath } = await this.options.registry.get(modelId)
    const request = this.sessionRequest(card, onnxPath, [1, ...card.input.shape.slice(1)], null)
    return this.options.sessions.standings(request, options.check ?? false)
  }

  /** Closes the sessions of `modelId` after its file changed (a confirmed new version) or it was removed. */
  forgetSessions(modelId: string): Promise<void> {
    return this.options.sessions.evict(modelId)
  }

  /** Closes every cached session. */
  async dispose(): Promise<void> {
    await this.options.sessions.dispose()
    await this.options.onDispose?.()
  }

  /** A recent prediction by id (for the attention and face-crop routes). */
  prediction(id: string): Prediction {
    const p = this.recent.peek(id)
    if (!p) throw new StudioError('not-found', `No recent prediction ${id}`)
    return p
  }

  async predictSample(sample: InferenceSample, modelId: string, options: PredictOptions = {}): Promise<Prediction> {
    const model = await this.options.registry.get(modelId)
    // The session opens (the first one of a session loads onnxruntime) while the input is built, not after it.
    void this.warmUp(modelId, { provider: options.provider })
    let input: BuiltInput
    try {
      input = await this.options.inputs.buildInput(sample, model.card, { ...(options.signal ? { signal: options.signal } : {}), flowSummary: options.flowSummary ?? false })
    } catch (error) {
      if (error instanceof StudioError || options.signal?.aborted) throw error
      throw new StudioError('internal', `Building the input of "${modelId}" for sample ${sample.key} failed: ${(error as Error).message}`)
    }
    const { inferenceMs, warmupMs, ...run } = await this.runModel(model.card, model.onnxPath, input, options)
    const prediction: Prediction = {
      id: randomUUID(),
      modelId,
      modelVersion: model.card.version,
      sampleKey: sample.key,
      recipeId: input.recipeId,
      ...run,
      timings: { preprocessMs: input.preprocessMs, inferenceMs, warmupMs },
      input: {
        frameIndices: input.frameIndices,
        apex: input.apex,
        warnings: input.warnings,
        faceCrop: input.faceCrop,
        dims: input.dims,
        alignment: input.alignment,
        ...(input.flowMagnitude ? { flowMagnitude: input.flowMagnitude } : {}),
      },
      createdAt: new Date().toISOString(),
    }
    if (options.remember ?? true) this.recent.set(prediction.id, prediction)
    return prediction
  }

  /**
   * Starts what every session needs (the sessions' worker, onnxruntime-node) without opening one:
   * the model list calls it, so a first prediction in Inspect does not load onnxruntime beside its
   * input (≈ 0.2 s of CPU on the cores that build it).
   */
  startSessions(): void {
    this.options.onWarmUp?.()
  }

  /**
   * Starts what the first prediction of `modelId` waits for — its session (opened, warmed up) and
   * the input workers — so that the start-up overlaps the first inputs being built instead of
   * following them. Errors are left to the predictions, which report them.
   */
  async warmUp(modelId: string, options: Pick<PredictOptions, 'provider'> = {}): Promise<void> {
    this.options.onWarmUp?.()
    this.options.inputs.warm()
    try {
      const { card, onnxPath } = await this.options.registry.get(modelId)
      await this.acquire(card, onnxPath, [1, ...card.input.shape.slice(1)], options.provider)
    } catch {
      // reported by the prediction that needs the model
    }
  }

  /** Runs a model on a ready tensor (the batch engine's and the tests' entry point). */
  async runModel(card: ModelCard, onnxPath: string, input: Pick<BuiltInput, 'data' | 'dims'>, options: PredictOptions = {}) {
    let acquired = await this.acquire(card, onnxPath, input.dims, options.provider)
    options.signal?.throwIfAborted()
    const feeds = { [card.input.name]: { data: input.data, dims: input.dims } }
    const started = performance.now()
    let outputs: Awaited<ReturnType<typeof acquired.session.run>>
    try {
      outputs = await acquired.session.run(feeds)
    } catch (error) {
      if (acquired.provider === 'cpu') throw runFailed(card, 'cpu', error)
      // A kernel this provider lacks for this input: the run goes on without it and, once it has
      // succeeded elsewhere, the model is pinned to CPU for that provider.
      const failed = acquired.provider
      const retry = await this.acquire(card, onnxPath, input.dims, options.provider, ['cpu'])
      try {
        outputs = await retry.session.run(feeds)
      } catch (retryError) {
        throw runFailed(card, retry.provider, retryError)
      }
      const reason = await this.options.sessions.pin(this.sessionRequest(card, onnxPath, input.dims, options.provider), failed, firstLine(error))
      acquired = { ...retry, fallbacks: [...retry.fallbacks, { provider: failed, reason }] }
    }
    const inferenceMs = performance.now() - started
    this.ran.add(acquired.provider)
    const logits = outputs[card.outputs.logits.name]
    if (!logits || !(logits.data instanceof Float32Array) || logits.data.length !== card.classes.length) {
      throw new StudioError('model/mismatch', `Model "${card.id}" returned no ${card.classes.length} class scores in "${card.outputs.logits.name}"`)
    }
    const scores = Array.from(logits.data)
    const probabilities = softmax(scores)
    const predictedIndex = argmax(scores)
    const attention = card.outputs.attention.map((declared): AttentionTensor => {
      const tensor = outputs[declared.name]
      if (!tensor || !(tensor.data instanceof Float32Array)) {
        throw new StudioError('model/mismatch', `Model "${card.id}" did not return its declared attention output "${declared.name}" as float32`)
      }
      return { name: declared.name, kind: declared.kind, shape: tensor.dims, data: tensor.data }
    })
    return {
      classes: card.classes,
      scoreKind: card.outputs.logits.kind,
      scores,
      probabilities,
      predictedIndex,
      predictedClass: card.classes[predictedIndex]!,
      provider: acquired.provider,
      fallbacks: acquired.fallbacks,
      inferenceMs,
      warmupMs: acquired.warmupMs,
      attention,
    }
  }

  private acquire(card: ModelCard, onnxPath: string, dims: readonly number[], provider: string | null | undefined, candidates?: string[]) {
    const request = this.sessionRequest(card, onnxPath, dims, provider)
    return this.options.sessions
      .acquire(candidates ? { ...request, candidates } : request)
      .catch((error: unknown) => {
        if (error instanceof StudioError) throw error
        throw new StudioError('provider/unavailable', `No execution provider could open "${card.id}": ${(error as Error).message}`)
      })
  }

  private sessionRequest(card: ModelCard, onnxPath: string, dims: readonly number[], provider: string | null | undefined): SessionRequest {
    return {
      // Keyed by id and file digest: a user model re-added under the same id gets a fresh session.
      modelId: `${card.id}@${card.file.sha256}`,
      modelPath: onnxPath,
      input: { name: card.input.name, shape: dims },
      candidates: providerCandidates(this.options.platform ?? process.platform, provider),
      override: provider ?? null,
      parity: { label: card.id, sha256: card.file.sha256, outputs: [card.outputs.logits.name, ...card.outputs.attention.map((a) => a.name), ...card.outputs.other.map((o) => o.name)] },
    }
  }
}

function runFailed(card: ModelCard, provider: string, error: unknown): StudioError {
  return new StudioError('model/run-failed', `Model "${card.id}" failed on ${provider}: ${firstLine(error)}`)
}
