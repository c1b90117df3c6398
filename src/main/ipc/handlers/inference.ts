import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { framesUsedOf } from '../../services/batch/inference-source'
import { BatchStore } from '../../services/batch/store'
import { providerCandidates } from '../../services/execution-providers'
import { exportPrediction } from '../../services/export/predictions'
import { frameToInput, groundTruthRegions, landmarkRegions, type AuRegionSet } from '../../services/inference/au-regions'
import { draftCard } from '../../services/inference/card-draft'
import { recipeIdOf } from '../../services/inference/inputs'
import { mediaSample } from '../../services/inference/media-sample'
import type { Prediction } from '../../services/inference/predict'
import type { RegisteredModel } from '../../services/inference/registry'
import { addModel, recordPrediction, type PredictionEntry } from '../../services/project/runs'
import { StudioError, type ModelSummary, type PredictionResult } from '@shared/ipc'
import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

function summary(model: RegisteredModel): ModelSummary {
  return {
    id: model.id,
    source: model.source,
    card: model.card,
    recipeId: model.card ? recipeIdOf(model.card) : null,
    problem: model.problem ? { code: model.problem.code, message: model.problem.message } : null,
    addedAt: model.addedAt,
  }
}

export function registerInferenceHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { inference } = studio
  /** The generator's ground truth when the clip has one, else landmark regions of the coded AUs; never fails the prediction. */
  async function regionsFor(clipPath: string, p: Prediction, auNumbers: number[]): Promise<AuRegionSet> {
    const { width, height } = p.input.faceCrop
    const onsetIndex = p.input.frameIndices[0]!
    try {
      const onset = await studio.frames.readFrame(clipPath, onsetIndex, 'rgb')
      const toInput = frameToInput(onset, { width, height }, p.input.alignment)
      return (await groundTruthRegions(clipPath, toInput)) ?? (await landmarkRegions(onset, auNumbers, toInput, studio.vision))
    } catch (error) {
      return { source: 'none', regions: [], note: `AU regions unavailable: ${(error as Error).message}` }
    }
  }

  registry
    .handle('query:models.list', async ({ reload }) => {
      if (reload) await inference.registry.reload()
      return {
        models: (await inference.registry.list()).map(summary),
        providers: { order: providerCandidates(process.platform), unavailable: inference.unavailableProviders() },
      }
    })
    .handle('query:models.providers', async ({ modelId }) => ({
      standings: (await inference.providerStandings(modelId)).map(({ provider, status, detail, automatic }) => ({ provider, status, detail, automatic })),
    }))
    .handle('command:models.add', async ({ onnxPath, replaceSha256 }) => {
      if (!existsSync(onnxPath)) throw new StudioError('not-found', `No file at ${onnxPath}`)
      if ((await stat(onnxPath)).isDirectory()) return { status: 'added-folder' as const, models: (await inference.registry.addPath(onnxPath)).map(summary) }
      const cardPath = onnxPath.replace(/\.onnx$/i, '.card.json')
      if (cardPath !== onnxPath && existsSync(cardPath)) {
        let json: unknown
        try {
          json = JSON.parse(await readFile(cardPath, 'utf8'))
        } catch (error) {
          throw new StudioError('model/invalid-card', `${cardPath} is not readable JSON: ${(error as Error).message}`)
        }
        try {
          if (!replaceSha256) return { status: 'added' as const, model: summary(await inference.registry.add(onnxPath, json)) }
          const model = await inference.registry.add(onnxPath, json, { replaceSha256 })
          await inference.forgetSessions(model.id) // sessions of the replaced version's file
          return { status: 'added' as const, model: summary(model) }
        } catch (error) {
          const details = error instanceof StudioError ? (error.details as { id?: string; source?: string; sha256?: string; version?: string } | undefined) : undefined
          if (!(error instanceof StudioError) || error.code !== 'conflict' || details?.source !== 'user' || !details.id) throw error
          const registered = (await inference.registry.list()).find((m) => m.id === details.id)
          if (!registered) throw error
          return { status: 'needs-confirm' as const, onnxPath, registered: summary(registered), sha256: details.sha256 ?? '', version: details.version ?? '', message: error.message }
        }
      }
      const signature = await inference.registry.signature(onnxPath)
      const registered = (await inference.registry.list()).flatMap((m) => (m.card && !m.problem ? [m.card] : []))
      return { status: 'needs-card' as const, onnxPath, ...signature, draft: draftCard(onnxPath, signature, registered) }
    })
    .handle('command:models.remove', async ({ modelId }) => {
      await inference.registry.remove(modelId)
      await inference.forgetSessions(modelId)
      return { removed: true as const }
    })
    .handle('command:models.save-card', async ({ onnxPath, card }) => ({ model: summary(await inference.registry.add(onnxPath, card, { fromForm: true })) }))
    .handle('command:predict.sample', async ({ sample, modelId, provider, sampleId, auNumbers }): Promise<PredictionResult> => {
      const clipPath = await studio.mediaRoots.resolve(sample.clipPath)
      const model = await inference.registry.get(modelId)
      const record = (entry: Omit<PredictionEntry, 'sampleId' | 'modelId' | 'modelSha256'>): number | null => {
        const project = studio.projects.current?.project
        if (!project || sampleId === undefined) return null
        const modelRow = addModel(project, { cardId: model.card.id, name: model.card.name, path: model.onnxPath, sha256: model.card.file.sha256, card: model.card })
        return recordPrediction(project, { ...entry, sampleId, modelId: modelRow, modelSha256: model.card.file.sha256 })
      }
      let p: Prediction
      try {
        const source = await mediaSample(studio.frames, { clipPath, onsetIndex: sample.onsetIndex, apexIndex: sample.apexIndex, offsetIndex: sample.offsetIndex })
        p = await inference.predictSample(source, modelId, { provider })
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
        const clip = await studio.frames.open(clipPath)
        new BatchStore(studio.projects.require().project).recordFramesUsed(recordedId, framesUsedOf(clip.frameNumbers, p.input, sample.offsetIndex, true))
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
        auRegions: await regionsFor(clipPath, p, auNumbers),
      }
    })
    .handle('command:predict.export', async ({ predictionId, format, reference, path, overwrite, download }) => {
      const store = new BatchStore(studio.projects.require().project)
      const row = store.prediction(predictionId)
      const target = await studio.downloads.target(path, download, `${row.sample}-${row.modelId}.${format}`)
      await exportPrediction(store, predictionId, format, target, { overwrite, reference })
      return { path: target, downloads: studio.downloads.offerAll([target], download) }
    })
}
