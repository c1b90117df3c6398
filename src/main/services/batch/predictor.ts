import type { FramesSource } from '@shared/domain/batch'

/**
 * What the batch needs from inference, and nothing more: the inference service's
 * `predictSample` behind a narrow interface, so batch, resume, shard and export logic run the
 * same with the real ONNX models, in the CLI, and with a deterministic predictor in tests.
 */

/** A sample as the batch hands it to a predictor: identity, clip and its reference coding. */
export interface BatchSample {
  sampleId: number
  datasetId: number
  /** Dataset name as imported: with `subject`, the LOSO group key. */
  dataset: string
  subject: string
  name: string
  /** Absolute path of the clip (video file or frame folder). */
  clipPath: string
  fps: number
  frameCount: number
  /** The reference coding (the selection's `reference`; by default adjudicated, else the dataset's own labels, else the first coder's); null when uncoded. */
  coded: { onset: number | null; apex: number | null; offset: number | null; emotion: string | null } | null
}

/** The identity of a model as exports and evaluation record it. */
export interface PredictorModel {
  /** Model card id. */
  id: string
  name: string
  version: string
  sha256: string
  /** Class names in the order of `probabilities`. */
  classes: string[]
  /** Preprocessing recipe id: models with the same recipe share intermediate features. */
  recipeId: string
  /** The card's `training.protocol` (per-fold LOSO models: `loso-fold dataset=… subject=…`). */
  protocol: string
  /** The full model card as JSON, kept in the project with the predictions. */
  cardJson: string
  path: string
}

/** A named per-frame (or per-channel) series summarising what the model saw, e.g. mean attention per frame. */
export interface PredictionSummary {
  name: string
  values: number[]
}

export interface SamplePrediction {
  /** Class probabilities in `PredictorModel.classes` order. */
  probabilities: number[]
  /** The execution provider that actually ran the model. */
  provider: string
  timings: { preprocessMs: number; inferenceMs: number; totalMs: number }
  /**
   * Frame numbers (the dataset's numbering) the input was built from — apex null for sequence
   * recipes that do not use one — and whether they were all coded, or some suggested (spotting,
   * midpoint, clip bounds of an uncoded sample).
   */
  frames: { onset: number; apex: number | null; offset: number | null; source: FramesSource }
  summaries?: PredictionSummary[]
}

/**
 * What the models of one sample share while they run on it (the opened clip, its decoded frames,
 * the input stages of a recipe two models have in common). The batch makes one per sample and
 * drops it once every model has had the sample, so a batch holds the samples in flight only.
 */
export class SampleScope {
  private readonly values = new Map<string, unknown>()

  /** The value kept under `key`, made by `create` the first time it is asked for. */
  get<T>(key: string, create: () => T): T {
    if (!this.values.has(key)) this.values.set(key, create())
    return this.values.get(key) as T
  }
}

export interface Predictor {
  readonly model: PredictorModel
  predictSample(sample: BatchSample, options: { signal: AbortSignal; summaries: boolean; scope: SampleScope }): Promise<SamplePrediction>
}

/** Turns the models a user names (card id or `.onnx` path) into predictors on a provider. */
export interface PredictorSource {
  resolve(modelRefs: readonly string[], options: { provider?: string | undefined }): Promise<Predictor[]>
}
