import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BatchReference } from '@shared/domain/coding-source'
import type { ModelCard } from '@shared/domain/model-card'
import type { DenseTensor } from '@shared/inference/attention'
import type { ModelSummary, PredictionResult, PredictSampleRef, ProviderStandingView, ValueInfoDto } from '@shared/ipc'
import { useTransport } from '../transport'
import { useJobsStore } from './jobs'
import { useSystemStore } from './system'

export type Slot = 'a' | 'b'

const STANDING_LABEL: Record<ProviderStandingView['status'], string> = {
  reference: 'reference',
  pass: 'matches CPU',
  pinned: 'pinned to CPU for this model',
  unavailable: 'unavailable',
  unchecked: 'checked against CPU on first run',
}

/** A provider's verdict for a model in a few words (menus, the batch form); the detail goes in a tooltip. */
export function standingLabel(s: ProviderStandingView): string {
  return s.status === 'pass' ? `${STANDING_LABEL.pass}${s.automatic ? ', used by auto' : ''}` : STANDING_LABEL[s.status]
}

export interface PredictContext {
  /** The open project's sample: each prediction (and its provider) is recorded against it. */
  sampleId?: number
  /** Coded AUs, whose facial regions the attention check uses. */
  auNumbers: number[]
}

/** The card form's starting point for an ONNX file without a card. */
export interface CardDraft {
  onnxPath: string
  inputs: ValueInfoDto[]
  outputs: ValueInfoDto[]
  draft: ModelCard
}

/** A new file under the id of an added model: the user confirms it as that model's new version. */
export interface PendingVersion {
  onnxPath: string
  registered: ModelSummary
  sha256: string
  version: string
  message: string
}

/**
 * Models and predictions for the inspection view: the registry's list, two model slots (A, and
 * B for side-by-side comparison), the provider override, each slot's last prediction (a job:
 * progress in the jobs list, cancel) and its
 * attention tensors, fetched as binary from the media route (never JSON).
 */
export const useInferenceStore = defineStore('inference', () => {
  const transport = useTransport()
  const system = useSystemStore()
  const jobs = useJobsStore()
  const models = ref<ModelSummary[]>([])
  const providerOrder = ref<string[]>([])
  const unavailable = ref<{ provider: string; reason: string }[]>([])
  const selected = ref<Record<Slot, string | null>>({ a: null, b: null })
  const compare = ref(false)
  /** Provider override; null follows the platform order. */
  const provider = ref<string | null>(null)
  const predictions = shallowRef<Record<Slot, PredictionResult | null>>({ a: null, b: null })
  const tensors = shallowRef<Record<Slot, Record<string, DenseTensor>>>({ a: {}, b: {} })
  const running = ref<Record<Slot, boolean>>({ a: false, b: false })
  /** Each slot's running prediction job, for cancel. */
  const jobIds = ref<Record<Slot, string | null>>({ a: null, b: null })
  const errors = ref<Record<Slot, string | null>>({ a: null, b: null })
  const listError = ref<string | null>(null)
  const cardDraft = shallowRef<CardDraft | null>(null)
  const cardError = ref<string | null>(null)
  const pendingVersion = shallowRef<PendingVersion | null>(null)
  /** What the last add or remove did, for the Models panel (a folder adds several). */
  const modelsNotice = ref<string | null>(null)
  /** Each provider's parity verdict per model id (fetched per model, refreshed after its predictions). */
  const standings = ref<Record<string, ProviderStandingView[]>>({})

  const usableModels = computed(() => models.value.filter((m) => m.card && !m.problem))

  function cardOf(id: string | null): ModelCard | null {
    return models.value.find((m) => m.id === id)?.card ?? null
  }

  async function loadModels(reload = false): Promise<void> {
    listError.value = null
    try {
      const list = await transport.invoke('query:models.list', { reload })
      models.value = list.models
      providerOrder.value = list.providers.order
      unavailable.value = list.providers.unavailable
      const first = usableModels.value[0]?.id ?? null
      if (!selected.value.a || !cardOf(selected.value.a)) selected.value.a = first
      if (!selected.value.b || !cardOf(selected.value.b)) selected.value.b = usableModels.value[1]?.id ?? first
    } catch (e) {
      listError.value = (e as Error).message
    }
  }

  async function loadStandings(modelId: string | null): Promise<void> {
    if (!modelId) return
    try {
      standings.value = { ...standings.value, [modelId]: (await transport.invoke('query:models.providers', { modelId })).standings }
    } catch {
      // The menus then show bare provider names; the prediction itself reports what ran.
    }
  }

  function standingOf(modelId: string | null, provider: string): ProviderStandingView | null {
    return (modelId && standings.value[modelId]?.find((s) => s.provider === provider)) || null
  }

  async function predict(slot: Slot, sample: PredictSampleRef, context: PredictContext): Promise<void> {
    const modelId = selected.value[slot]
    if (!modelId) return
    running.value = { ...running.value, [slot]: true }
    errors.value = { ...errors.value, [slot]: null }
    try {
      const request = { sample, modelId, provider: provider.value, auNumbers: context.auNumbers, ...(context.sampleId ? { sampleId: context.sampleId } : {}) }
      const result = await jobs.run(`Predicting with ${modelId}`, 'predict.sample', async () => {
        const started = await transport.invoke('command:predict.sample', request)
        jobIds.value = { ...jobIds.value, [slot]: started.jobId }
        return started
      })
      const loaded = await Promise.all(result.attention.map(async (a) => [a.name, await fetchTensor(result.id, a.name)] as const))
      tensors.value = { ...tensors.value, [slot]: Object.fromEntries(loaded) }
      predictions.value = { ...predictions.value, [slot]: result }
      unavailable.value = mergeFallbacks(unavailable.value, result.fallbacks)
      system.noteProviderRan(result.provider)
      void loadStandings(modelId)
    } catch (e) {
      predictions.value = { ...predictions.value, [slot]: null }
      errors.value = { ...errors.value, [slot]: (e as Error).message }
    } finally {
      running.value = { ...running.value, [slot]: false }
      jobIds.value = { ...jobIds.value, [slot]: null }
    }
  }

  /** Cancels the running predictions (both slots when comparing). */
  async function cancel(): Promise<void> {
    await Promise.all(Object.values(jobIds.value).flatMap((id) => (id ? [jobs.cancel(id)] : [])))
  }

  /** Runs the selected model(s) on the sample. */
  async function predictAll(sample: PredictSampleRef, context: PredictContext): Promise<void> {
    await predict('a', sample, context)
    if (compare.value) await predict('b', sample, context)
  }

  /** `attention/<id>/<name>.f32`: float32 LE with its shape in `x-tensor-shape`. */
  async function fetchTensor(predictionId: string, name: string): Promise<DenseTensor> {
    const response = await fetch(transport.mediaUrl(`attention/${encodeURIComponent(predictionId)}/${encodeURIComponent(name)}.f32`))
    if (!response.ok) throw new Error(`Attention output ${name}: ${response.status} ${await response.text()}`)
    const shape = (response.headers.get('x-tensor-shape') ?? '').split(',').map(Number)
    const data = new Float32Array(await response.arrayBuffer())
    if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`Attention output ${name}: ${data.length} values do not fill shape [${shape.join(', ')}]`)
    return { data, shape }
  }

  function faceUrl(predictionId: string): string {
    return transport.mediaUrl(`attention/${encodeURIComponent(predictionId)}/face.png`)
  }

  function clear(): void {
    predictions.value = { a: null, b: null }
    tensors.value = { a: {}, b: {} }
    errors.value = { a: null, b: null }
  }

  /** Adds an `.onnx` file (with its card beside it, or through the card form) or a folder of them. */
  async function addModel(onnxPath: string, replaceSha256?: string): Promise<void> {
    cardError.value = null
    cardDraft.value = null
    pendingVersion.value = null
    modelsNotice.value = null
    try {
      const result = await transport.invoke('command:models.add', { onnxPath, ...(replaceSha256 ? { replaceSha256 } : {}) })
      if (result.status === 'needs-card') cardDraft.value = { onnxPath: result.onnxPath, inputs: result.inputs, outputs: result.outputs, draft: result.draft }
      else if (result.status === 'needs-confirm') pendingVersion.value = { onnxPath: result.onnxPath, registered: result.registered, sha256: result.sha256, version: result.version, message: result.message }
      else {
        const added = result.status === 'added' ? [result.model] : result.models
        modelsNotice.value = `${replaceSha256 ? 'Replaced' : 'Added'} ${added.map((m) => m.id).join(', ')}`
        await loadModels()
      }
    } catch (e) {
      cardError.value = (e as Error).message
    }
  }

  /** The user confirmed the pending file as the new version of the model under its id. */
  async function confirmVersion(): Promise<void> {
    const pending = pendingVersion.value
    if (pending?.registered.card) await addModel(pending.onnxPath, pending.registered.card.file.sha256)
  }

  async function removeModel(id: string): Promise<void> {
    cardError.value = null
    modelsNotice.value = null
    try {
      await transport.invoke('command:models.remove', { modelId: id })
      modelsNotice.value = `Removed ${id}`
      await loadModels()
    } catch (e) {
      cardError.value = (e as Error).message
    }
  }

  async function saveCard(onnxPath: string, card: ModelCard): Promise<boolean> {
    cardError.value = null
    try {
      await transport.invoke('command:models.save-card', { onnxPath, card })
      cardDraft.value = null
      await loadModels()
      return true
    } catch (e) {
      cardError.value = (e as Error).message
      return false
    }
  }

  /**
   * The prediction in `slot` as the batch predictions CSV's columns (or their JSON): saved at
   * `path` on the studio's machine, or (`path` null, in the browser) downloaded. Resolves with
   * the downloads or the path written.
   */
  function exportPrediction(slot: Slot, format: 'csv' | 'json', reference: BatchReference | undefined, path: string | null, overwrite = false) {
    const predictionId = predictions.value[slot]?.recordedId
    if (predictionId == null) return Promise.reject(new Error('This prediction was not recorded in a project: run it with the sample open'))
    return transport.invoke('command:predict.export', { predictionId, format, ...(reference ? { reference } : {}), ...(path === null ? { download: true } : { path, overwrite }) })
  }

  return {
    models,
    usableModels,
    providerOrder,
    unavailable,
    selected,
    compare,
    provider,
    predictions,
    tensors,
    running,
    errors,
    listError,
    cardDraft,
    cardError,
    pendingVersion,
    modelsNotice,
    standings,
    cardOf,
    loadStandings,
    standingOf,
    loadModels,
    predict,
    predictAll,
    cancel,
    faceUrl,
    clear,
    addModel,
    confirmVersion,
    removeModel,
    saveCard,
    exportPrediction,
  }
})

function mergeFallbacks(known: { provider: string; reason: string }[], more: { provider: string; reason: string }[]) {
  const out = [...known]
  for (const f of more) if (!out.some((k) => k.provider === f.provider)) out.push(f)
  return out
}
