import { isAbsolute } from 'node:path'
import { framesSourceOf } from '@shared/domain/batch'
import { StudioError } from '@shared/ipc/errors'
import type { ModelCard } from '@shared/domain/model-card'
import { recipeIdOf, type BuiltInput, type InferenceService, type InferenceSample, type Prediction } from '../inference'
import { mediaSample } from '../inference/media-sample'
import { indexOfFrameNumber, type MediaService } from '../media'
import type { TrainingInput, TrainingInputSource, TrainingRecipe } from '../export/training-set'
import type { BatchSample, Predictor, PredictorModel, PredictorSource, PredictionSummary, SampleScope, SamplePrediction } from './predictor'

/**
 * The batch's predictors backed by the inference service: the registry's models (bundled or
 * user-added), inputs built by the same code the inspection view uses — with its per-(sample,
 * recipe) cache, so a second model on the same recipe reuses the flow — and the sessions on the
 * provider that actually initialised. Frame numbers are mapped to clip positions through the
 * media service's frame list. A sample is opened once for all its models, in the batch's
 * `SampleScope`, and keeps its decoded frames and input stages there: the shared caches, sized for
 * browsing, are not filled with samples a one-pass batch never revisits.
 */
export class InferencePredictorSource implements PredictorSource {
  constructor(
    private readonly inference: InferenceService,
    private readonly media: MediaService,
  ) {}

  /**
   * A reference is a registered model id, or an absolute path: an `.onnx` file with its `<name>.card.json`
   * beside it, or a folder of them (e.g. the per-fold models the models kit exports), which are
   * added to the user's models first.
   */
  async resolve(modelRefs: readonly string[], options: { provider?: string | undefined }): Promise<Predictor[]> {
    const predictors: Predictor[] = []
    for (const ref of modelRefs) {
      for (const id of await this.modelIds(ref)) {
        // Not awaited: the workers and the session start while the model file is checked and the first inputs are built.
        void this.inference.warmUp(id, { provider: options.provider })
        const model = await this.inference.registry.get(id)
        predictors.push(new InferencePredictor(this.inference, this.media, model.card, describe(model.card, model.onnxPath), options.provider ?? null))
      }
    }
    return predictors
  }

  private async modelIds(ref: string): Promise<string[]> {
    if (!isAbsolute(ref)) return [ref]
    return (await this.inference.registry.addPath(ref)).map((m) => m.id)
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

/** A batch sample opened for input building: frame numbers mapped to clip positions. */
interface OpenedSample {
  inferenceSample: InferenceSample
  /** Frame numbers of the used positions, and whether any of them was not coded. */
  framesUsed(input: Pick<BuiltInput, 'frameIndices' | 'apex'>): SamplePrediction['frames']
}

/** The sample opened once for every model of `scope` (its frames and stages kept there). */
function openedIn(scope: SampleScope, media: MediaService, sample: BatchSample): Promise<OpenedSample> {
  return scope.get('opened', () => openSample(media, sample))
}

async function openSample(media: MediaService, sample: BatchSample): Promise<OpenedSample> {
  const clip = await media.open(sample.clipPath)
  const last = clip.frameCount - 1
  if (last < 1) throw new StudioError('media/missing-frames', `${sample.name}: the clip has ${clip.frameCount} frame(s)`)
  const position = (frame: number | null | undefined): number | null => (frame === null || frame === undefined ? null : indexOfFrameNumber(clip, frame))
  const onsetIndex = position(sample.coded?.onset)
  const apexIndex = position(sample.coded?.apex)
  const offsetIndex = position(sample.coded?.offset)
  const inferenceSample = await mediaSample(media, { clipPath: sample.clipPath, onsetIndex: onsetIndex ?? 0, apexIndex, offsetIndex: offsetIndex ?? last, own: true })
  return {
    inferenceSample,
    framesUsed: (input) => framesUsedOf(clip.frameNumbers, input, offsetIndex ?? last, onsetIndex !== null && offsetIndex !== null),
  }
}

/**
 * The frame numbers of the clip positions a prediction used (`frameNumbers[index]`), and whether
 * they were coded: what the predictions CSV reports, for a batch item and for Inspect alike.
 */
export function framesUsedOf(
  frameNumbers: readonly number[],
  { frameIndices, apex }: Pick<BuiltInput, 'frameIndices' | 'apex'>,
  offsetIndex: number,
  codedOnsetOffset: boolean,
): SamplePrediction['frames'] {
  const number = (index: number) => frameNumbers[index]!
  return {
    onset: number(frameIndices[0]!),
    apex: apex === null ? null : number(apex.index),
    // Onset–apex recipes do not read the offset: the one that bounded the apex search is reported.
    offset: apex === null ? number(frameIndices[frameIndices.length - 1]!) : number(offsetIndex),
    source: framesSourceOf(codedOnsetOffset, apex?.source ?? null),
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

  async predictSample(sample: BatchSample, options: { signal: AbortSignal; summaries: boolean; scope: SampleScope }): Promise<SamplePrediction> {
    const started = performance.now()
    const opened = await openedIn(options.scope, this.media, sample)
    const prediction = await this.inference.predictSample(opened.inferenceSample, this.model.id, {
      provider: this.provider,
      signal: options.signal,
      flowSummary: options.summaries,
      remember: false, // the batch serves no attention or face-crop media
    })
    return {
      probabilities: prediction.probabilities,
      provider: prediction.provider,
      timings: { preprocessMs: prediction.timings.preprocessMs, inferenceMs: prediction.timings.inferenceMs, totalMs: performance.now() - started },
      frames: opened.framesUsed(prediction.input),
      ...(options.summaries ? { summaries: [...flowSummaries(prediction), ...attentionSummaries(prediction, this.card)] } : {}),
    }
  }
}

/** Model inputs for the training-set export, built exactly as for prediction (same code, same cache). */
export class InferenceInputSource implements TrainingInputSource {
  constructor(
    private readonly inference: InferenceService,
    private readonly media: MediaService,
  ) {}

  async recipes(modelRefs: readonly string[]): Promise<TrainingRecipe[]> {
    return Promise.all(modelRefs.map(async (ref) => {
      const { card } = await this.inference.registry.get(ref)
      return { modelId: card.id, recipeId: recipeIdOf(card), inputShape: card.input.shape.slice(1), card }
    }))
  }

  async buildInput(sample: BatchSample, recipe: TrainingRecipe, options: { signal: AbortSignal; scope: SampleScope }): Promise<TrainingInput> {
    const opened = await openedIn(options.scope, this.media, sample)
    const built = await this.inference.inputs.buildInput(opened.inferenceSample, recipe.card, { signal: options.signal })
    return { data: built.data, shape: built.dims.slice(1), frames: opened.framesUsed(built) }
  }
}

/** The input's flow magnitudes: one per flow the tensor was built from (none for recipes without flow). */
function flowSummaries(prediction: Prediction): PredictionSummary[] {
  const values = prediction.input.flowMagnitude
  return values && values.length > 0 ? [{ name: 'flow: mean magnitude per time step (px/frame at the input size)', values }] : []
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
