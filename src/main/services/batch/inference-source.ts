import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { StudioError } from '@shared/ipc'
import type { ModelCard } from '@shared/domain/model-card'
import { recipeIdOf, type InferenceService, type Prediction } from '../inference'
import { mediaSample } from '../inference/media-sample'
import { indexOfFrameNumber, type MediaService } from '../media'
import type { BatchSample, Predictor, PredictorModel, PredictorSource, PredictionSummary, SamplePrediction } from './predictor'

/**
 * The batch's predictors backed by the inference service: the registry's models (bundled or
 * user-added), inputs built by the same code the inspection view uses — with its per-(sample,
 * recipe) cache, so a second model on the same recipe reuses the flow — and the sessions on the
 * provider that actually initialised. Frame numbers are mapped to clip positions through the
 * media service's frame list.
 */
export class InferencePredictorSource implements PredictorSource {
  constructor(
    private readonly inference: InferenceService,
    private readonly media: MediaService,
  ) {}

  /**
   * A reference is a registered model id, or a path: an `.onnx` file with its `<name>.card.json`
   * beside it, or a folder of them (e.g. the per-fold models the models kit exports), which are
   * added to the user's models first.
   */
  async resolve(modelRefs: readonly string[], options: { provider?: string | undefined }): Promise<Predictor[]> {
    const predictors: Predictor[] = []
    for (const ref of modelRefs) {
      for (const id of await this.modelIds(ref)) {
        const model = await this.inference.registry.get(id)
        predictors.push(new InferencePredictor(this.inference, this.media, model.card, describe(model.card, model.onnxPath), options.provider ?? null))
      }
    }
    return predictors
  }

  private async modelIds(ref: string): Promise<string[]> {
    const facts = await stat(ref).catch(() => null)
    if (!facts) return [ref]
    const files = facts.isDirectory() ? (await readdir(ref)).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(ref, f)) : [ref]
    if (files.length === 0) throw new StudioError('not-found', `No .onnx models in ${ref}`)
    const ids: string[] = []
    for (const onnx of files) {
      const cardPath = onnx.replace(/\.onnx$/, '.card.json')
      const cardJson = await readFile(cardPath, 'utf8').catch(() => {
        throw new StudioError('model/invalid-card', `${onnx} has no model card beside it (${cardPath})`)
      })
      ids.push((await this.inference.registry.add(onnx, JSON.parse(cardJson) as unknown)).id)
    }
    return ids
  }
}

function describe(card: ModelCard, path: string): PredictorModel {
  return {
    id: card.id,
    name: card.name,
    version: card.version,
    sha256: card.file.sha256,
    classes: card.classes,
    recipeId: recipeIdOf(card),
    protocol: card.training.protocol,
    cardJson: JSON.stringify(card),
    path,
  }
}

class InferencePredictor implements Predictor {
  constructor(
    private readonly inference: InferenceService,
    private readonly media: MediaService,
    private readonly card: ModelCard,
    readonly model: PredictorModel,
    private readonly provider: string | null,
  ) {}

  async predictSample(sample: BatchSample, options: { signal: AbortSignal; summaries: boolean }): Promise<SamplePrediction> {
    const started = performance.now()
    const clip = await this.media.open(sample.clipPath)
    const last = clip.frameCount - 1
    if (last < 1) throw new StudioError('media/missing-frames', `${sample.name}: the clip has ${clip.frameCount} frame(s)`)
    const coded = sample.coded
    const position = (frame: number | null | undefined): number | null => (frame === null || frame === undefined ? null : indexOfFrameNumber(clip, frame))
    const onsetIndex = position(coded?.onset)
    const apexIndex = position(coded?.apex)
    const offsetIndex = position(coded?.offset)
    const inferenceSample = await mediaSample(this.media, {
      clipPath: sample.clipPath,
      onsetIndex: onsetIndex ?? 0,
      apexIndex,
      offsetIndex: offsetIndex ?? last,
    })
    const prediction = await this.inference.predictSample(inferenceSample, this.model.id, { provider: this.provider, signal: options.signal })
    const used = prediction.input.frameIndices
    const number = (index: number) => clip.frameNumbers[index]!
    const usesApex = prediction.input.apex !== null
    const suggested = onsetIndex === null || offsetIndex === null || (usesApex && prediction.input.apex!.source !== 'annotated')
    return {
      probabilities: prediction.probabilities,
      provider: prediction.provider,
      timings: { preprocessMs: prediction.timings.preprocessMs, inferenceMs: prediction.timings.inferenceMs, totalMs: performance.now() - started },
      frames: {
        onset: number(used[0]!),
        apex: usesApex ? number(prediction.input.apex!.index) : null,
        offset: usesApex ? number(offsetIndex ?? last) : number(used[used.length - 1]!),
        source: suggested ? 'suggested' : 'coded',
      },
      ...(options.summaries ? { summaries: attentionSummaries(prediction, this.card) } : {}),
    }
  }
}

/**
 * Per attention output: its mean over every axis but the first non-batch one (channels, frames
 * or heads, as the card names it) — e.g. the mean spatial attention per frame of a sequence model.
 */
function attentionSummaries(prediction: Prediction, card: ModelCard): PredictionSummary[] {
  return prediction.attention.map((tensor) => {
    const axis = card.outputs.attention.find((a) => a.name === tensor.name)?.axes[1] ?? 'axis 1'
    const [, first = 1] = tensor.shape
    const per = tensor.data.length / first
    const values = Array.from({ length: first }, (_, i) => {
      let sum = 0
      for (let j = i * per; j < (i + 1) * per; j++) sum += tensor.data[j]!
      return sum / per
    })
    return { name: `${tensor.name}: mean per ${axis}`, values }
  })
}
