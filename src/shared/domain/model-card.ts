/**
 * Model card: the JSON file beside every bundled `.onnx` model. The inference
 * service builds the model's input from `input` + `preprocessing`, and the
 * attention viewer reads `outputs.attention` to know what each output is and
 * how to draw it. `models/model_card.schema.json` is generated from this file
 * (`npx tsx scripts/export-card-schema.ts`) so the Python exporter validates
 * against the same rules.
 */
import { z } from 'zod'

/** Dimension: a positive size, or -1 for the dynamic batch axis. */
const Dim = z.union([z.literal(-1), z.int().positive()])
const Shape = z.array(Dim).min(1)

export const InputKindSchema = z.enum([
  /** [N, 3, H, W]: u, v, strain of the onset -> apex flow */
  'onset-apex-flow',
  /** [N, 2, T, H, W]: flow u, v per temporally normalised frame */
  'flow-sequence',
  /** [N, 3, T, H, W]: RGB frames (after magnification if any) */
  'frame-sequence',
  /** [N, 3, T, H, W]: flow u, v and the image sequence difference feature */
  'flow-isdf',
])

const Interpolation = z.enum(['bicubic', 'bilinear', 'area', 'nearest'])

export const CropSchema = z.object({
  /** 'as-provided': frames are already aligned face crops and are only resized. */
  method: z.enum(['as-provided', 'aligned-face-crop']),
  alignment: z.enum(['none', '5-point-onset', '68-landmark-onset']),
  /** Working size [height, width] every frame is resized to: the input's size (flow may be computed larger, `flow.computeSize`). */
  size: z.tuple([z.int().positive(), z.int().positive()]),
  interpolation: Interpolation,
  colour: z.enum(['gray', 'rgb']),
  description: z.string(),
})

export const MagnificationSchema = z.object({
  method: z.enum(['onset-difference-linear', 'eulerian-linear-iir', 'phase-based']),
  alpha: z.number().positive(),
  /** Gaussian sigma (pixels) of the spatial low-pass applied to the difference. */
  sigma: z.number().positive().optional(),
  description: z.string(),
})

export const TvL1ParamsSchema = z.object({
  tau: z.number(),
  lambda: z.number(),
  theta: z.number(),
  nscales: z.int(),
  warps: z.int(),
  epsilon: z.number(),
  innerIterations: z.int(),
  outerIterations: z.int(),
  scaleStep: z.number(),
  gamma: z.number(),
  medianFiltering: z.int(),
  useInitialFlow: z.boolean(),
})

/**
 * Size [height, width] the frames are resized to for the flow (default: `crop.size`). An integer
 * multiple of `crop.size`: the field is then averaged over factor×factor blocks and divided by the
 * factor, so the model sees the flow at its input size in pixels of that size (`preprocess.pool_flow`).
 */
const FlowComputeSize = z.tuple([z.int().positive(), z.int().positive()]).optional()

export const FlowSchema = z.discriminatedUnion('method', [
  z.object({
    method: z.literal('tvl1'),
    /**
     * 'onset': flow from the first (onset) frame to each frame (a sequence's first step is zero flow);
     * 'previous': between neighbours (a sequence of T frames gives T − 1 steps, the input's time axis).
     */
    reference: z.enum(['onset', 'previous']),
    params: TvL1ParamsSchema,
    computeSize: FlowComputeSize,
    description: z.string(),
  }),
  z.object({
    method: z.literal('lk'),
    reference: z.enum(['onset', 'previous']),
    params: z.object({ window: z.int().positive(), regularisation: z.number().nonnegative() }),
    computeSize: FlowComputeSize,
    description: z.string(),
  }),
  z.object({
    method: z.literal('farneback'),
    reference: z.enum(['onset', 'previous']),
    params: z.record(z.string(), z.union([z.number(), z.boolean()])),
    computeSize: FlowComputeSize,
    description: z.string(),
  }),
])

/** A model card's flow recipe (method, reference frame, the reference code's parameters). */
export type FlowRecipe = z.infer<typeof FlowSchema>

export const StrainSchema = z.object({
  /** standard: sqrt(ux²+vy²+½(uy+vx)²) (Shreve 2011; Off-TANet's eq. 4); off-tanet: sqrt(ux²+uy²+½(vx+uy)²) (Off-TANet's released code) */
  variant: z.enum(['standard', 'off-tanet']),
  derivative: z.literal('sobel3-div8-reflect101'),
})

export const FramesSchema = z.object({
  /** Which frames feed the model: onset and apex only, or the onset..offset clip. */
  selection: z.enum(['onset-apex', 'onset-to-offset']),
  /** Frames after temporal normalisation (null for onset-apex). */
  temporalLength: z.int().positive().nullable(),
  temporalInterpolation: z.enum(['linear', 'tim']).nullable(),
})

export const NormalisationSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('none') }),
  z.object({
    /** (x - mean_c) / (std_c + epsilon), statistics per sample and channel over all other axes. */
    method: z.literal('per-sample-channel-standardise'),
    epsilon: z.number().nonnegative(),
  }),
  z.object({
    method: z.literal('per-sample-channel-minmax'),
    range: z.tuple([z.number(), z.number()]),
    epsilon: z.number().nonnegative(),
  }),
  z.object({
    method: z.literal('fixed-mean-std'),
    mean: z.array(z.number()).min(1),
    std: z.array(z.number().positive()).min(1),
  }),
])

export const PreprocessingSchema = z.object({
  frames: FramesSchema,
  crop: CropSchema,
  magnification: MagnificationSchema.nullable(),
  flow: FlowSchema.nullable(),
  strain: StrainSchema.nullable(),
  /** ISDF: gray(frame_t) - gray(frame_0) on the normalised frames, 0..255 scale. */
  isdf: z.object({ reference: z.literal('onset') }).nullable(),
  normalisation: NormalisationSchema,
  /** Exact recipe in words, step by step, with the Python function that defines it. */
  steps: z.array(z.string()).min(1),
  reference: z.string(),
})

export const AttentionKindSchema = z.enum(['channel', 'spatial', 'self', 'temporal', 'fusion-weights'])

export const AttentionOutputSchema = z.object({
  name: z.string().min(1),
  kind: AttentionKindSchema,
  /** Where in the network the map is taken. */
  layer: z.string().min(1),
  shape: Shape,
  /** One name per axis, e.g. ['batch', 'frame', 'y', 'x']. */
  axes: z.array(z.string().min(1)).min(1),
  display: z.object({
    /**
     * bar: 1-D weights (channels, frames, fusion weights); map: one 2-D map;
     * map-per-frame: one map per frame (summary = mean over frames);
     * max-over-heads-channels-times-spatial: Off-TANet's self-attention display,
     * max over heads and channels multiplied by the named spatial map.
     */
    aggregation: z.enum(['bar', 'map', 'map-per-frame', 'max-over-heads-channels-times-spatial']),
    multiplyBy: z.string().optional(),
    /** Resize the 2-D result bilinearly to the model input's H x W before overlaying. */
    overlay: z.enum(['input', 'none']),
    description: z.string(),
  }),
})

export const TensorOutputSchema = z.object({
  name: z.string().min(1),
  shape: Shape,
  description: z.string(),
})

export const MetricSchema = z.object({
  name: z.string().min(1),
  value: z.number(),
  howComputed: z.string().min(1),
})

/**
 * One figure set a paper reports, quoted from its text (models/fidelity.py): the dataset, the classes, the
 * protocol and how the metrics were averaged over folds, so a studio figure is compared like for like.
 */
export const PaperResultSchema = z.object({
  dataset: z.string().min(1),
  classes: z.array(z.string().min(1)).min(2),
  /** e.g. 'LOSO, 49 folds', 'leave-one-sample-out', '10-fold cross-validation …' */
  protocol: z.string().min(1),
  /** How the figures combine the folds: 'pooled' (one confusion matrix), 'per-fold mean', 'per-subject mean', … */
  averaging: z.string().min(1),
  /** Fractions in 0..1 (a printed 69.92% is 0.6992). */
  metrics: z.array(z.object({ name: z.string().min(1), value: z.number() })).min(1),
  /** Where in the paper, e.g. 'Table 2'. */
  where: z.string().min(1),
})

export const ModelCardSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9_]+(-[a-z0-9_]+)*$/),
  name: z.string().min(1),
  architecture: z.enum(['off_tanet', 'ststnet', 'cbamnet', 'astnet', 'ms3d_resnet', 'ast_svmnet']),
  version: z.string().min(1),
  /** true: trained on synthetic data for demonstration only, not for real use. */
  demo: z.boolean(),
  paper: z.object({
    title: z.string().min(1),
    authors: z.array(z.string()).min(1),
    year: z.int(),
    venue: z.string(),
    doi: z.string().nullable(),
    url: z.string().nullable(),
    /** The paper's own reported figures (absent on cards written before they were quoted). */
    results: z.array(PaperResultSchema).optional(),
  }),
  classes: z.array(z.string().min(1)).min(2),
  /**
   * How the coded emotions of a dataset become `classes` (models.train --classes, registry.CLASS_SETUPS):
   * `labels` maps a coded emotion or label (lower case, as `canonicalEmotion` writes it) to a class; one not
   * listed has no class here (the kit did not train on it, evaluation leaves it out). Absent on cards written
   * before it or by hand: see `@shared/domain/class-set`.
   */
  classSet: z
    .object({
      name: z.string().min(1),
      description: z.string().min(1),
      labels: z.record(z.string().min(1), z.string().min(1)),
      /** The class set behind each of the paper's results, by the result's `dataset` (models/fidelity.py PAPER_CLASS_SETS). */
      paperSets: z.record(z.string().min(1), z.string().min(1)),
    })
    .optional(),
  input: z.object({
    name: z.string().min(1),
    kind: InputKindSchema,
    dtype: z.literal('float32'),
    shape: Shape,
    layout: z.enum(['NCHW', 'NCTHW']),
    channels: z.array(z.string()).min(1),
  }),
  preprocessing: PreprocessingSchema,
  outputs: z.object({
    /** Class scores in `classes` order (logits, or SVM decision values: argmax is the prediction). */
    logits: z.object({ name: z.string(), shape: Shape, kind: z.enum(['logits', 'svm-decision-values']) }),
    attention: z.array(AttentionOutputSchema),
    other: z.array(TensorOutputSchema),
  }),
  architectureConfig: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.array(z.number())])),
  training: z.object({
    data: z.string().min(1),
    protocol: z.string().min(1),
    /**
     * "DATASET/SUBJECT" of every subject whose samples trained this model (the kit writes it), so
     * evaluation can flag figures on training samples. Absent on older cards: subjects unknown.
     */
    subjects: z.array(z.string().regex(/^[^/]+\/.+$/)).optional(),
    epochs: z.int().nonnegative(),
    details: z.string(),
    /**
     * True when the attention maps were trained against known region masks (a supervised loss term,
     * possible on synthetic data): the maps then show where the model was taught to look, and the
     * studio says so beside them. Absent = unsupervised.
     */
    attentionSupervised: z.boolean().optional(),
  }),
  metrics: z.array(MetricSchema),
  deviations: z.array(z.string()),
  notes: z.array(z.string()),
  file: z.object({
    name: z.string().regex(/\.onnx$/),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    sizeBytes: z.int().positive(),
    opset: z.int().min(7).max(17),
  }),
  /**
   * Reference inputs and the outputs the exporter got for them (`<id>.reference.json` beside the
   * card, `models/export.py`): the studio runs them when it adds the model and refuses a card whose
   * classes, input recipe or outputs do not reproduce them. Absent on cards written by hand.
   */
  reference: z
    .object({
      file: z.string().regex(/^[^/\\]+\.reference\.json$/),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    })
    .optional(),
  parameterCount: z.int().nonnegative(),
  licence: z.object({ weights: z.string().min(1), code: z.string().min(1) }),
})

export type ModelCard = z.infer<typeof ModelCardSchema>
export type AttentionOutput = z.infer<typeof AttentionOutputSchema>
export type PaperResult = z.infer<typeof PaperResultSchema>
export type ClassSet = NonNullable<ModelCard['classSet']>

export type ParseModelCardResult = { ok: true; card: ModelCard } | { ok: false; issues: string[] }

/** Validate unknown JSON as a model card; issues read like `outputs.attention.0.shape: …`. */
export function parseModelCard(json: unknown): ParseModelCardResult {
  const result = ModelCardSchema.safeParse(json)
  if (result.success) {
    const card = result.data
    const names = [card.outputs.logits.name, ...card.outputs.attention.map((a) => a.name), ...card.outputs.other.map((o) => o.name)]
    const duplicate = names.find((n, i) => names.indexOf(n) !== i)
    if (duplicate) return { ok: false, issues: [`outputs: output name "${duplicate}" is declared twice`] }
    if (card.input.shape[0] !== -1) return { ok: false, issues: ['input.shape.0: the batch axis must be -1'] }
    const stray = Object.entries(card.classSet?.labels ?? {}).find(([, c]) => !card.classes.includes(c))
    if (stray) return { ok: false, issues: [`classSet.labels.${stray[0]}: "${stray[1]}" is not one of the card's classes (${card.classes.join(', ')})`] }
    return { ok: true, card }
  }
  return {
    ok: false,
    issues: result.error.issues.map((issue) => `${issue.path.join('.') || '(card)'}: ${issue.message}`),
  }
}
