/**
 * A starting card for an ONNX file a user brings: the input and outputs read from the file, the
 * recipe and classes of a registered model with the same input geometry when there is one (else a
 * TV-L1 onset→apex recipe for rank-4 inputs, a TV-L1 flow sequence for rank-5), every non-logit
 * output listed as "other" until the user marks it as attention in the card form.
 */
import { basename } from 'node:path'
import type { ModelCard } from '@shared/domain/model-card'
import { TVL1_OPENCV_PARAMS } from '../../vision/tvl1-options'
import type { ValueInfo } from '../../workers/inference-protocol'

function dims(shape: readonly (number | string)[]): number[] {
  return shape.map((d, axis) => (typeof d === 'number' && d > 0 && axis > 0 ? d : -1))
}

function sameGeometry(card: ModelCard, shape: number[]): boolean {
  return card.input.shape.length === shape.length && card.input.shape.every((d, i) => i === 0 || d === shape[i])
}

export function draftCard(onnxPath: string, signature: { inputs: ValueInfo[]; outputs: ValueInfo[] }, registered: readonly ModelCard[]): ModelCard {
  const fileName = basename(onnxPath)
  const input = signature.inputs[0]
  const inputShape = input ? dims(input.shape) : [-1, 3, 112, 112]
  const logits = signature.outputs.find((o) => o.shape.length === 2) ?? signature.outputs[0]
  const template = registered.find((c) => sameGeometry(c, inputShape))
  const rank5 = inputShape.length === 5
  const size = inputShape[inputShape.length - 1]! > 0 ? inputShape[inputShape.length - 1]! : 112
  const classCount = typeof logits?.shape[1] === 'number' && logits.shape[1] > 0 ? logits.shape[1] : 3
  const classes = template && template.classes.length === classCount ? template.classes : Array.from({ length: classCount }, (_, i) => `class ${i}`)
  const preprocessing: ModelCard['preprocessing'] = template?.preprocessing ?? {
    frames: rank5 ? { selection: 'onset-to-offset', temporalLength: inputShape[2]! > 0 ? inputShape[2]! : 16, temporalInterpolation: 'linear' } : { selection: 'onset-apex', temporalLength: null, temporalInterpolation: null },
    crop: { method: 'as-provided', alignment: 'none', size: [size, size], interpolation: 'bicubic', colour: 'gray', description: 'Frames used as provided, resized bicubically.' },
    magnification: null,
    flow: { method: 'tvl1', reference: 'onset', params: { ...TVL1_OPENCV_PARAMS }, description: 'TV-L1 with OpenCV defaults.' },
    strain: rank5 ? null : { variant: 'standard', derivative: 'sobel3-div8-reflect101' },
    isdf: null,
    normalisation: { method: 'per-sample-channel-standardise', epsilon: 1e-6 },
    steps: ['Describe each preprocessing step the model was trained with.'],
    reference: 'user-provided',
  }
  const id = fileName.replace(/\.onnx$/i, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'user_model'
  return {
    schemaVersion: 1,
    id,
    name: fileName.replace(/\.onnx$/i, ''),
    architecture: template?.architecture ?? (rank5 ? 'ms3d_resnet' : 'off_tanet'),
    version: '1',
    demo: false,
    paper: template?.paper ?? { title: 'Unknown', authors: ['Unknown'], year: new Date().getFullYear(), venue: '', doi: null, url: null },
    classes,
    input: {
      name: input?.name ?? 'input',
      kind: template?.input.kind ?? (rank5 ? 'flow-sequence' : 'onset-apex-flow'),
      dtype: 'float32',
      shape: inputShape,
      layout: rank5 ? 'NCTHW' : 'NCHW',
      channels: template?.input.channels ?? (rank5 ? ['u', 'v'] : ['u', 'v', 'strain']),
    },
    preprocessing,
    outputs: {
      logits: { name: logits?.name ?? 'logits', shape: logits ? dims(logits.shape) : [-1, classCount], kind: 'logits' },
      attention: [],
      other: signature.outputs.filter((o) => o.name !== logits?.name).map((o) => ({ name: o.name, shape: dims(o.shape), description: '' })),
    },
    architectureConfig: {},
    training: { data: 'unknown', protocol: 'unknown', epochs: 0, details: '' },
    metrics: [],
    deviations: [],
    notes: ['Card written in the ME Studio card form.'],
    file: { name: fileName, sha256: '0'.repeat(64), sizeBytes: 1, opset: 17 },
    parameterCount: 0,
    licence: { weights: 'unknown', code: 'unknown' },
  }
}
