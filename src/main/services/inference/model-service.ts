/**
 * What the app does with models, as one application service the handlers call in one line: the
 * model list with providers, adding a model, a folder of models or a new version (or drafting its
 * card), removing one, predicting one sample (a job) — the clip resolved inside an opened dataset
 * root, the prediction (or its error) recorded in the open project, the attention checked against
 * the AU regions — and exporting a recorded prediction.
 */
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import type { z } from 'zod'
import type { ModelSummary, PredictionResult, Requests } from '@shared/ipc'
import { StudioError } from '@shared/ipc/errors'
import { framesUsedOf } from '../batch/inference-source'
import { BatchStore } from '../batch/store'
import { providerCandidates } from '../execution-providers'
import { exportPrediction } from '../export/predictions'
import type { Downloads } from '../files/downloads'
import type { JobManager } from '../jobs'
import type { MediaRoots } from '../media/media-router'
import type { MediaService } from '../media'
import type { ProjectService } from '../project/projects'
import { addModel, recordPrediction, type PredictionEntry } from '../project/runs'
import { frameToInput, groundTruthRegions, landmarkRegions, type AuRegionSet } from './au-regions'
import { draftCard } from './card-draft'
import type { InferenceService } from './index'
import { recipeIdOf } from './inputs'
import { mediaSample } from './media-sample'
import type { Prediction } from './predict'
import type { RegisteredModel } from './registry'
import type { VisionPool } from '../../workers/vision-pool'

type Input<C extends keyof Requests> = z.output<Requests[C]['input']>
type Output<C extends keyof Requests> = z.output<Requests[C]['output']>

export interface ModelServiceDeps {
  inference: InferenceService
  frames: MediaService
  mediaRoots: MediaRoots
  projects: ProjectService
  jobs: JobManager
  /** Face detection for the AU regions runs in a vision worker. */
  vision: VisionPool
  downloads: Downloads
}

export class ModelService {
  constructor(private readonly deps: ModelServiceDeps) {}

  async list({ reload }: Input<'query:models.list'>): Promise<Output<'query:models.list'>> {
    const { inference } = this.deps
    // Listed for a choice of model to run: what any model's first run needs starts now.
    inference.startSessions()
    if (reload) await inference.registry.reload()
    return {
      models: (await inference.registry.list()).map(modelSummary),
      providers: { order: providerCandidates(process.platform), unavailable: inference.unavailableProviders() },
    }
  }

  async providers({ modelId }: Input<'query:models.providers'>): Promise<Output<'query:models.providers'>> {
    const standings = await this.deps.inference.providerStandings(modelId)
    return { standings: standings.map(({ provider, status, detail, automatic }) => ({ provider, status, detail, automatic })) }
  }

  /**
   * Registers an ONNX file with the `.card.json` beside it (a new version of a user model only with
   * `replaceSha256`, else `needs-confirm`), every model of a folder, or returns a draft card for the card form.
   */
  async add({ onnxPath, replaceSha256 }: Input<'command:models.add'>): Promise<Output<'command:models.add'>> {
    const { inference } = this.deps
    const { registry } = inference
    if (!existsSync(onnxPath)) throw new StudioError('not-found', `No file at ${onnxPath}`)
    if ((await stat(onnxPath)).isDirectory()) return { status: 'added-folder' as const, models: (await registry.addPath(onnxPath)).map(modelSummary) }
    const cardPath = onnxPath.replace(/\.onnx$/i, '.card.json')
    if (cardPath !== onnxPath && existsSync(cardPath)) {
      let json: unknown
      try {
        json = JSON.parse(await readFile(cardPath, 'utf8'))
      } catch (error) {
        throw new StudioError('model/invalid-card', `${cardPath} is not readable JSON: ${(error as Error).message}`)
      }
      try {
        if (!replaceSha256) return { status: 'added' as const, model: modelSummary(await registry.add(onnxPath, json)) }
        const model = await registry.add(onnxPath, json, { replaceSha256 })
        await inference.forgetSessions(model.id) // sessions of the replaced version's file
        return { status: 'added' as const, model: modelSummary(model) }
      } catch (error) {
        const details = error instanceof StudioError ? (error.details as { id?: string; source?: string; sha256?: string; version?: string } | undefined) : undefined
        if (!(error instanceof StudioError) || error.code !== 'conflict' || details?.source !== 'user' || !details.id) throw error
        const registered = (await registry.list()).find((m) => m.id === details.id)
        if (!registered) throw error
        return { status: 'needs-confirm' as const, onnxPath, registered: modelSummary(registered), sha256: details.sha256 ?? '', version: details.version ?? '', message: error.message }
      }
    }
    const signature = await registry.signature(onnxPath)
    const registered = (await registry.list()).flatMap((m) => (m.card && !m.problem ? [m.card] : []))
    return { status: 'needs-card' as const, onnxPath, ...signature, draft: draftCard(onnxPath, signature, registered) }
  }

  async remove({ modelId }: Input<'command:models.remove'>): Promise<Output<'command:models.remove'>> {
    const { inference } = this.deps
    await inference.registry.remove(modelId)
    await inference.forgetSessions(modelId)
    return { removed: true as const }
  }

  async saveCard({ onnxPath, card }: Input<'command:models.save-card'>): Promise<Output<'command:models.save-card'>> {
    return { model: modelSummary(await this.deps.inference.registry.add(onnxPath, card, { fromForm: true })) }
  }

  /** `predictSample` as a job (progress, cancel), like every other long operation; its result is the prediction. */
  startPrediction(input: Input<'command:predict.sample'>): { jobId: string } {
    return this.deps.jobs.start('predict.sample', async (ctx) => {
      ctx.progress(0, 1)
      const result = await this.predictSample(input, { signal: ctx.signal })
      ctx.progress(1, 1)
      return result
    })
  }

  /** One sample through one model; with a project open and a `sampleId`, the run (or its failure) is recorded. */
  async predictSample({ sample, modelId, provider, sampleId, auNumbers }: Input<'command:predict.sample'>, options: { signal?: AbortSignal } = {}): Promise<PredictionResult> {
    const { inference, frames, mediaRoots, projects } = this.deps
    const clipPath = await mediaRoots.resolve(sample.clipPath)
    const model = await inference.registry.get(modelId)
    const record = (entry: Omit<PredictionEntry, 'sampleId' | 'modelId' | 'modelSha256'>): number | null => {
      const project = projects.current?.project
      if (!project || sampleId === undefined) return null
      const modelRow = addModel(project, { cardId: model.card.id, name: model.card.name, path: model.onnxPath, sha256: model.card.file.sha256, card: model.card })
      return recordPrediction(project, { ...entry, sampleId, modelId: modelRow, modelSha256: model.card.file.sha256 })
    }
    let p: Prediction
    try {
      const source = await mediaSample(frames, { clipPath, onsetIndex: sample.onsetIndex, apexIndex: sample.apexIndex, offsetIndex: sample.offsetIndex })
      p = await inference.predictSample(source, modelId, { provider, ...(options.signal ? { signal: options.signal } : {}) })
    } catch (error) {
      // A failed sample is recorded too (a per-sample error, never a crash), then reported.
      if (error instanceof StudioError) record({ executionProvider: provider ?? 'auto', recipeId: recipeIdOf(model.card), error: error.toShape() })
      throw error
    }
    const recordedId = record({
      executionProvider: p.provider,
      recipeId: p.recipeId,
      predictedClass: p.predictedClass,
      scores: Object.fromEntries(p.classes.map((c, i) => [c, p.probabilities[i]!])),
      timings: { preprocessMs: p.timings.preprocessMs, inferenceMs: p.timings.inferenceMs },
    })
    if (recordedId !== null) {
      // Inspect always runs on a coding's onset and offset; the CSV export reports the frames as the batch does.
      const clip = await frames.open(clipPath)
      new BatchStore(projects.require().project).recordFramesUsed(recordedId, framesUsedOf(clip.frameNumbers, p.input, sample.offsetIndex, true))
    }
    const { width, height } = p.input.faceCrop
    return {
      id: p.id,
      recordedId,
      modelId: p.modelId,
      modelName: model.card.name,
      recipeId: p.recipeId,
      classes: p.classes,
      scoreKind: p.scoreKind,
      scores: p.scores,
      probabilities: p.probabilities,
      predictedIndex: p.predictedIndex,
      predictedClass: p.predictedClass,
      provider: p.provider,
      fallbacks: p.fallbacks,
      timings: p.timings,
      input: { width, height, frameIndices: p.input.frameIndices, apex: p.input.apex, warnings: p.input.warnings },
      attention: p.attention.map((a) => ({ name: a.name, kind: a.kind, shape: a.shape })),
      auRegions: await this.regionsFor(clipPath, p, auNumbers),
    }
  }

  /** A prediction recorded here (its `recordedId`) as the batch predictions CSV's columns, or their JSON; to `path` or a download. */
  async exportPrediction({ predictionId, format, reference, path, overwrite, download }: Input<'command:predict.export'>): Promise<Output<'command:predict.export'>> {
    const { projects, downloads } = this.deps
    const store = new BatchStore(projects.require().project)
    const row = store.prediction(predictionId)
    const target = await downloads.target(path, download, `${row.sample}-${row.modelId}.${format}`)
    await exportPrediction(store, predictionId, format, target, { overwrite, reference })
    return { path: target, downloads: downloads.offerAll([target], download) }
  }

  /** The generator's ground truth when the clip has one, else landmark regions of the coded AUs; never fails the prediction. */
  private async regionsFor(clipPath: string, p: Prediction, auNumbers: number[]): Promise<AuRegionSet> {
    const { width, height } = p.input.faceCrop
    const onsetIndex = p.input.frameIndices[0]!
    try {
      const onset = await this.deps.frames.readFrame(clipPath, onsetIndex, 'rgb')
      const toInput = frameToInput(onset, { width, height }, p.input.alignment)
      return (await groundTruthRegions(clipPath, toInput)) ?? (await landmarkRegions(onset, auNumbers, toInput, this.deps.vision))
    } catch (error) {
      return { source: 'none', regions: [], note: `AU regions unavailable: ${(error as Error).message}` }
    }
  }
}

function modelSummary(model: RegisteredModel): ModelSummary {
  return {
    id: model.id,
    source: model.source,
    card: model.card,
    recipeId: model.card ? recipeIdOf(model.card) : null,
    problem: model.problem ? { code: model.problem.code, message: model.problem.message } : null,
    addedAt: model.addedAt,
  }
}
