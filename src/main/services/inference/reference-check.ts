/**
 * Reference outputs: `<id>.reference.json`, written by the models kit beside an export
 * (`models/export.py attach_reference`), holds the card's classes and input recipe at export time
 * and the PyTorch outputs for seeded inputs. Adding a model runs them: a card whose classes, input
 * recipe or outputs do not reproduce them is refused, naming the sample, what was expected and
 * what came out, and the likely cause (a swapped class order shows up nowhere else: the model
 * runs and only its figures are wrong).
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { z } from 'zod'
import { ModelCardSchema, PreprocessingSchema, type ModelCard } from '@shared/domain/model-card'
import { StudioError } from '@shared/ipc/errors'
import type { ModelSession } from '../../workers/inference-protocol'

const ReferenceSchema = z.object({
  schemaVersion: z.literal(1),
  model: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  classes: z.array(z.string()).min(2),
  recipe: z.object({ input: z.unknown(), preprocessing: z.record(z.string(), z.unknown()) }),
  input: z.object({
    name: z.string(),
    shape: z.array(z.int().positive()).min(1),
    seed: z.int().nonnegative(),
    generator: z.literal('lcg-1664525-1013904223-uniform-minus1-1'),
  }),
  tolerance: z.number().positive(),
  predicted: z.array(z.string()),
  outputs: z.array(z.object({ name: z.string(), shape: z.array(z.int().nonnegative()), dtype: z.enum(['float32', 'int64']), data: z.string() })).min(1),
})

export type ReferenceOutputs = z.infer<typeof ReferenceSchema>

/** The exporter's 32-bit LCG (`models/export.py lcg_uniform`): uniform floats in [-1, 1). */
export function lcgUniform(count: number, seed: number): Float32Array {
  const out = new Float32Array(count)
  let state = seed >>> 0
  for (let i = 0; i < count; i++) {
    state = (1664525 * state + 1013904223) % 4294967296
    out[i] = (state / 4294967296) * 2 - 1
  }
  return out
}

/** Parses a reference file's text; `model/invalid-card` naming the file when it is not one. */
export function parseReference(text: string, what: string): ReferenceOutputs {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new StudioError('model/invalid-card', `${what} is not readable JSON: ${(error as Error).message}`)
  }
  const parsed = ReferenceSchema.safeParse(json)
  if (!parsed.success) {
    throw new StudioError('model/invalid-card', `${what} is not a reference-outputs file: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`)
  }
  return parsed.data
}

/** Reads `path` and checks it is the file the card names (sha256); returns its parsed content. */
export async function readReference(card: ModelCard, path: string, digest: (path: string) => Promise<string>): Promise<ReferenceOutputs> {
  const declared = card.reference
  if (!declared) throw new Error('readReference: the card declares no reference outputs')
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new StudioError('not-found', `Model "${card.id}": its reference outputs ${declared.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); keep it beside the card`)
  }
  const actual = await digest(path)
  if (actual !== declared.sha256) {
    throw new StudioError('model/mismatch', `Model "${card.id}": sha256 of ${declared.file} is ${actual}, the card says ${declared.sha256}: the reference outputs are not this card's`)
  }
  return parseReference(text, basename(path))
}

/** The parts of a card that decide the input tensor, normalised by the card schema (prose left out). */
function recipeOf(input: unknown, preprocessing: Record<string, unknown>): { input: unknown; preprocessing: unknown } | null {
  const parsedInput = ModelCardSchema.shape.input.safeParse(input)
  const parsedPre = PreprocessingSchema.safeParse({ ...preprocessing, steps: ['-'], reference: '' })
  if (!parsedInput.success || !parsedPre.success) return null
  const { steps: _steps, reference: _reference, ...pre } = parsedPre.data
  return { input: parsedInput.data, preprocessing: pre }
}

/** Key-order-independent JSON, so two recipes compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value)
}

function recipeDifferences(card: ModelCard, reference: ReferenceOutputs): string[] {
  const exported = recipeOf(reference.recipe.input, reference.recipe.preprocessing)
  if (!exported) return ['the reference file records no readable input recipe']
  const own = recipeOf(card.input, card.preprocessing)!
  const diffs: string[] = []
  for (const part of ['input', 'preprocessing'] as const) {
    const a = own[part] as Record<string, unknown>
    const b = exported[part] as Record<string, unknown>
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (canonical(a[key]) !== canonical(b[key])) diffs.push(`${part}.${key}: card ${canonical(a[key])}, export ${canonical(b[key])}`)
    }
  }
  return diffs
}

function decode(data: string): Float32Array {
  const bytes = Buffer.from(data, 'base64')
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
}

const argmax = (values: ArrayLike<number>): number => {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

const shortList = (values: ArrayLike<number>): string =>
  `[${Array.from(values.length > 6 ? Array.prototype.slice.call(values, 0, 6) : values, (v: number) => Number(v).toPrecision(5)).join(', ')}${values.length > 6 ? ', …' : ''}]`

/**
 * Runs the reference inputs through `session` and compares, in this order: the file the reference
 * was written for, the input recipe, the class order, every output. Throws `model/mismatch` with
 * the first cause found (and every recipe difference), or returns quietly.
 */
export async function assertReproducesReference(card: ModelCard, reference: ReferenceOutputs, session: ModelSession): Promise<void> {
  function refuse(message: string, details?: Record<string, unknown>): never {
    throw new StudioError('model/mismatch', `Model "${card.id}" does not reproduce its reference outputs: ${message}`, details)
  }
  if (reference.sha256 !== card.file.sha256) {
    refuse(`they were written for the file with sha256 ${reference.sha256}, this one is ${card.file.sha256}`)
  }
  const recipe = recipeDifferences(card, reference)
  if (recipe.length > 0) refuse(`the card's input recipe differs from the export's (${recipe.join('; ')}): the studio would build other inputs than the model was trained on`, { differences: recipe })

  const logits = reference.outputs.find((o) => o.name === card.outputs.logits.name)
  if (!logits) refuse(`the reference has no output "${card.outputs.logits.name}"`)
  const perSample = logits.shape[logits.shape.length - 1] ?? 0
  const scores = decode(logits.data)
  if (canonical(card.classes) !== canonical(reference.classes)) {
    const sameSet = canonical([...card.classes].sort()) === canonical([...reference.classes].sort())
    const cause = sameSet ? 'class order differs' : 'the classes differ'
    const lists = `card classes [${card.classes.join(', ')}], exported with [${reference.classes.join(', ')}]`
    for (let k = 0; k < reference.predicted.length; k++) {
      const got = card.classes[argmax(scores.subarray(k * perSample, (k + 1) * perSample))]
      if (got !== reference.predicted[k]) refuse(`reference sample ${k}: expected "${reference.predicted[k]}", got "${got}" (${lists}): likely cause: ${cause}`)
    }
    refuse(`${lists}: likely cause: ${cause}`)
  }

  const dims = reference.input.shape
  const data = lcgUniform(
    dims.reduce((a, b) => a * b, 1),
    reference.input.seed,
  )
  const result = await session.run({ [card.input.name]: { data, dims } })
  for (const output of reference.outputs) {
    const got = result[output.name]
    if (!got) refuse(`output "${output.name}" is in the reference but the model returned none`)
    const expected = decode(output.data)
    const actual = Float64Array.from(got.data as ArrayLike<number | bigint>, Number)
    if (actual.length !== expected.length) refuse(`output "${output.name}": ${actual.length} values, the reference has ${expected.length} (shapes [${got.dims.join(', ')}] and [${output.shape.join(', ')}])`)
    const batch = output.shape[0] ?? 1
    const each = expected.length / Math.max(1, batch)
    const tolerance = output.dtype === 'int64' ? 0 : reference.tolerance
    for (let k = 0; k < batch; k++) {
      const want = expected.subarray(k * each, (k + 1) * each)
      const have = actual.subarray(k * each, (k + 1) * each)
      let worst = 0
      for (let i = 0; i < each; i++) worst = Math.max(worst, Math.abs(have[i]! - want[i]!))
      if (!(worst <= tolerance)) {
        refuse(
          `reference sample ${k}, output "${output.name}": expected ${shortList(want)}, got ${shortList(have)} (max |difference| ${worst.toPrecision(3)} > ${tolerance}): ` +
            'likely cause: the file or the runtime computes something else than the exported model',
        )
      }
    }
  }
}
