/**
 * Does an ONNX file's signature agree with its model card? Every difference is named (input
 * name, element type, rank, a fixed dimension; a declared output missing from the file, an
 * output the card does not declare, a shape that differs), so a refused model says exactly why.
 */
import type { ModelCard } from '@shared/domain/model-card'
import { StudioError } from '@shared/ipc/errors'
import type { ValueInfo } from '../../workers/inference-protocol'

/** All output declarations of a card: logits, attention maps, other tensors. */
export function declaredOutputs(card: ModelCard): { name: string; shape: number[]; role: string }[] {
  return [
    { ...card.outputs.logits, role: 'logits' },
    ...card.outputs.attention.map((a) => ({ name: a.name, shape: a.shape, role: `attention (${a.kind})` })),
    ...card.outputs.other.map((o) => ({ name: o.name, shape: o.shape, role: 'other' })),
  ]
}

/** Differences between a card's declared shape and an ONNX shape; -1 and symbolic dims match anything dynamic. */
function shapeDifferences(what: string, declared: readonly number[], actual: readonly (number | string)[]): string[] {
  if (actual.length === 0) return [] // ONNX left the shape undefined: nothing to compare
  if (declared.length !== actual.length) {
    return [`${what}: card declares rank ${declared.length} [${declared.join(', ')}], the ONNX file has rank ${actual.length} [${actual.join(', ')}]`]
  }
  const diffs: string[] = []
  declared.forEach((d, axis) => {
    const a = actual[axis]!
    const dynamic = typeof a === 'string' || a < 0
    if (d === -1 || dynamic) return // the card's dynamic batch axis, or a dimension the file leaves open
    if (d !== a) diffs.push(`${what}: axis ${axis} is ${d} in the card but ${a} in the ONNX file`)
  })
  return diffs
}

export function modelCardDifferences(card: ModelCard, signature: { inputs: ValueInfo[]; outputs: ValueInfo[] }): string[] {
  const diffs: string[] = []
  if (signature.inputs.length !== 1) {
    diffs.push(`inputs: the card declares one input "${card.input.name}", the ONNX file has ${signature.inputs.length} (${signature.inputs.map((i) => i.name).join(', ')})`)
  }
  const input = signature.inputs.find((i) => i.name === card.input.name)
  if (!input) {
    if (signature.inputs.length === 1) diffs.push(`input: the card names it "${card.input.name}", the ONNX file "${signature.inputs[0]!.name}"`)
  } else {
    if (input.type !== card.input.dtype) diffs.push(`input "${input.name}": element type ${input.type ?? 'non-tensor'} in the ONNX file, ${card.input.dtype} in the card`)
    diffs.push(...shapeDifferences(`input "${input.name}"`, card.input.shape, input.shape))
  }
  const declared = declaredOutputs(card)
  for (const out of declared) {
    const actual = signature.outputs.find((o) => o.name === out.name)
    if (!actual) diffs.push(`output "${out.name}" (${out.role}) is declared in the card but missing from the ONNX file`)
    else diffs.push(...shapeDifferences(`output "${out.name}"`, out.shape, actual.shape))
  }
  for (const actual of signature.outputs) {
    if (!declared.some((d) => d.name === actual.name)) diffs.push(`output "${actual.name}" of the ONNX file is not declared in the card`)
  }
  const logits = signature.outputs.find((o) => o.name === card.outputs.logits.name)
  const classAxis = logits?.shape[logits.shape.length - 1]
  if (typeof classAxis === 'number' && classAxis > 0 && classAxis !== card.classes.length) {
    diffs.push(`output "${card.outputs.logits.name}" scores ${classAxis} classes, the card lists ${card.classes.length} (${card.classes.join(', ')})`)
  }
  return diffs
}

/** Throws `model/mismatch` naming every difference, or returns quietly. */
export function assertCardMatches(card: ModelCard, signature: { inputs: ValueInfo[]; outputs: ValueInfo[] }): void {
  const diffs = modelCardDifferences(card, signature)
  if (diffs.length > 0) {
    throw new StudioError('model/mismatch', `Model "${card.id}" disagrees with its card: ${diffs.join('; ')}`, { differences: diffs })
  }
}
