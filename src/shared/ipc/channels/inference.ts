import { z } from 'zod'
import { BatchReferenceSchema } from '../../domain/coding-source'
import { AttentionKindSchema, ModelCardSchema } from '../../domain/model-card'
import { ERROR_CODES } from '../errors'
import { request } from '../define'
import { JobStartedSchema } from './jobs'
import { DownloadFlagSchema, DownloadsSchema, OverwriteSchema } from './export-target'

/**
 * Inference: the model registry (bundled + user-added models with their cards) and per-sample
 * predictions. Results are small JSON; attention tensors and the face crop the model saw travel
 * as binary media (`attention/<predictionId>/<output>.f32` with an `x-tensor-shape` header,
 * `attention/<predictionId>/face.png`), never as JSON.
 */

const ProblemSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() })

export const ModelSummarySchema = z.object({
  id: z.string(),
  source: z.enum(['bundled', 'user']),
  /** Null when the card could not be read at all. */
  card: ModelCardSchema.nullable(),
  /** Preprocessing recipe id: models with equal ids share cached inputs. */
  recipeId: z.string().nullable(),
  /** Why the model cannot be used (invalid card, file differs from card…); null when usable. */
  problem: ProblemSchema.nullable(),
  /** When an added model was added (ISO 8601); null for bundled ones (and from older back ends). */
  addedAt: z.string().nullable().default(null),
})
export type ModelSummary = z.infer<typeof ModelSummarySchema>

export const ValueInfoSchema = z.object({ name: z.string(), type: z.string().nullable(), shape: z.array(z.union([z.number(), z.string()])) })
export type ValueInfoDto = z.infer<typeof ValueInfoSchema>

export const ProviderFallbackSchema = z.object({ provider: z.string(), reason: z.string() })

/** Where one execution provider stands for one model on this machine (the parity gate's verdict). */
export const ProviderStandingSchema = z.object({
  provider: z.string(),
  /** `reference`: CPU; `pass`/`pinned`: compared with CPU on a seeded probe; `unchecked`: checked on first use. */
  status: z.enum(['reference', 'pass', 'pinned', 'unavailable', 'unchecked']),
  detail: z.string(),
  /** Whether the automatic order runs this model on it. */
  automatic: z.boolean(),
})
export type ProviderStandingView = z.infer<typeof ProviderStandingSchema>

/** What a prediction needs to know about a sample; frame positions are 0-based clip indices. */
export const PredictSampleRefSchema = z.object({
  /** Absolute clip path (video or frame folder) inside an opened dataset. */
  clipPath: z.string().min(1),
  onsetIndex: z.number().int().nonnegative(),
  /** Null when no apex is coded: spotting or the middle frame is used, and said so. */
  apexIndex: z.number().int().nonnegative().nullable(),
  offsetIndex: z.number().int().nonnegative(),
})
export type PredictSampleRef = z.input<typeof PredictSampleRefSchema>

export const AuRegionSchema = z.object({
  name: z.string(),
  /** Closed polygon [[x, y], …] in model-input pixels (the overlay's coordinates). */
  polygon: z.array(z.tuple([z.number(), z.number()])).min(3),
})

export const PredictionResultSchema = z.object({
  id: z.string(),
  /** Row id in the open project's predictions table, when it was recorded there. */
  recordedId: z.number().int().nullable(),
  modelId: z.string(),
  modelName: z.string(),
  recipeId: z.string(),
  classes: z.array(z.string()),
  scoreKind: z.enum(['logits', 'svm-decision-values']),
  scores: z.array(z.number()),
  /** Softmax of the scores. */
  probabilities: z.array(z.number()),
  predictedIndex: z.number().int(),
  predictedClass: z.string(),
  /** The execution provider the model actually ran on. */
  provider: z.string(),
  fallbacks: z.array(ProviderFallbackSchema),
  timings: z.object({ preprocessMs: z.number(), inferenceMs: z.number(), warmupMs: z.number() }),
  input: z.object({
    /** Model input geometry (the overlay's pixel grid). */
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    frameIndices: z.array(z.number().int()),
    apex: z.object({ index: z.number().int(), source: z.enum(['annotated', 'spotted', 'middle-frame']) }).nullable(),
    warnings: z.array(z.string()),
  }),
  /** Every declared attention output: fetch `attention/<id>/<name>.f32` for the values. */
  attention: z.array(z.object({ name: z.string(), kind: AttentionKindSchema, shape: z.array(z.number().int()) })),
  /** The coded AUs' regions: the synthetic generator's ground truth, landmark regions of the onset frame, or none. */
  auRegions: z.object({ source: z.enum(['ground-truth', 'landmarks', 'none']), regions: z.array(AuRegionSchema), note: z.string() }),
})
export type PredictionResult = z.infer<typeof PredictionResultSchema>

export const ModelsListSchema = z.object({
  models: z.array(ModelSummarySchema),
  /** Provider order this platform tries, and the ones that failed to initialise so far. */
  providers: z.object({ order: z.array(z.string()), unavailable: z.array(ProviderFallbackSchema) }),
})

export const inferenceRequests = {
  'query:models.list': request(z.object({ reload: z.boolean().default(false) }), ModelsListSchema),
  /** Each provider's verdict for one model (cached ones only: a model is checked the first time it runs on a provider). */
  'query:models.providers': request(z.object({ modelId: z.string().min(1) }), z.object({ standings: z.array(ProviderStandingSchema) })),
  /**
   * Adds an ONNX file: with a `.card.json` beside it the model is registered, otherwise a draft card
   * is returned for the card form. A folder adds every `.onnx` in it with its card (as the CLI's
   * `--model FOLDER`: the per-fold models of the kit). A file with a new sha256 under the id of an
   * added model is a new version: `needs-confirm` until the call is repeated with `replaceSha256`
   * = the registered version's sha256.
   */
  'command:models.add': request(
    z.object({ onnxPath: z.string().min(1), replaceSha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }),
    z.discriminatedUnion('status', [
      z.object({ status: z.literal('added'), model: ModelSummarySchema }),
      z.object({ status: z.literal('added-folder'), models: z.array(ModelSummarySchema).min(1) }),
      z.object({
        status: z.literal('needs-confirm'),
        onnxPath: z.string(),
        registered: ModelSummarySchema,
        sha256: z.string(),
        version: z.string(),
        message: z.string(),
      }),
      z.object({ status: z.literal('needs-card'), onnxPath: z.string(), inputs: z.array(ValueInfoSchema), outputs: z.array(ValueInfoSchema), draft: ModelCardSchema }),
    ]),
  ),
  /** Removes an added model (bundled models are refused with `invalid-input`). */
  'command:models.remove': request(z.object({ modelId: z.string().min(1) }), z.object({ removed: z.literal(true) })),
  /** Saves the card made in the form and registers the model (refused with `model/invalid-card` or `model/mismatch`). */
  'command:models.save-card': request(z.object({ onnxPath: z.string().min(1), card: z.unknown() }), z.object({ model: ModelSummarySchema })),
  'command:predict.sample': request(
    z.object({
      sample: PredictSampleRefSchema,
      modelId: z.string().min(1),
      provider: z.string().nullable().default(null),
      /** With a project open: the sample the prediction (or its error) is recorded against, with the provider used. */
      sampleId: z.number().int().positive().optional(),
      /** Coded AU numbers: their facial regions (from the onset frame's landmarks) are checked against the attention. */
      auNumbers: z.array(z.number().int().min(0).max(99)).default([]),
    }),
    JobStartedSchema,
  ),
  /**
   * A prediction made here (its `recordedId`) as the batch predictions CSV's columns, or their JSON;
   * `path` is optional with `download`. The heatmap PNG is drawn by the UI from the tensor it shows.
   */
  'command:predict.export': request(
    z.object({
      predictionId: z.number().int().positive(),
      format: z.enum(['csv', 'json']),
      /** The coding Inspect took the frames from (its "Frames from"), named in `frames_coding`. */
      reference: BatchReferenceSchema.optional(),
      path: z.string().min(1).optional(),
      overwrite: OverwriteSchema,
      download: DownloadFlagSchema,
    }),
    z.object({ path: z.string(), downloads: DownloadsSchema }),
  ),
} as const
