// Every bundled model loads in onnxruntime-node, matches its card, and agrees with
// PyTorch (fixtures written by models/export.py) to the fixture's tolerance.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { parseModelCard, type ModelCard } from '../../../src/shared/domain/model-card'
import { lcgUniform } from '../../../src/main/services/inference/reference-check'

const root = resolve(__dirname, '../../..')
const modelDir = join(root, 'resources/models')
const fixtureDir = join(root, 'tests/fixtures/models')
const modelFiles = readdirSync(modelDir).filter((f) => f.endsWith('.onnx')).sort()

interface ParityHeader {
  model: string
  input: { name: string; shape: number[]; seed: number; generator: string }
  tolerance: number
  outputs: { name: string; shape: number[]; offset: number; length: number; dtype: 'float32' | 'int64' }[]
}

function loadCard(onnxFile: string): ModelCard {
  const json: unknown = JSON.parse(readFileSync(join(modelDir, onnxFile.replace(/\.onnx$/, '.card.json')), 'utf8'))
  const parsed = parseModelCard(json)
  if (!parsed.ok) throw new Error(`${onnxFile}: invalid card:\n${parsed.issues.join('\n')}`)
  return parsed.card
}

function toNumbers(tensor: ort.Tensor): number[] {
  const data = tensor.data as Float32Array | BigInt64Array
  return Array.from(data as ArrayLike<number | bigint>, (v) => Number(v))
}

function outputOf(result: ort.InferenceSession.OnnxValueMapType, name: string): ort.Tensor {
  const tensor = result[name]
  if (!tensor) throw new Error(`the session returned no output "${name}"`)
  return tensor
}

function declaredOutputs(card: ModelCard) {
  return [card.outputs.logits, ...card.outputs.attention, ...card.outputs.other]
}

describe('bundled model zoo', () => {
  it('ships the six architectures', () => {
    const architectures = new Set(modelFiles.map((f) => loadCard(f).architecture))
    expect([...architectures].sort()).toEqual(['ast_svmnet', 'astnet', 'cbamnet', 'ms3d_resnet', 'off_tanet', 'ststnet'])
  })

  for (const file of modelFiles) {
    describe(file, () => {
      const card = loadCard(file)

      it('has a card that matches the file', () => {
        const bytes = readFileSync(join(modelDir, file))
        expect(card.file.name).toBe(file)
        expect(card.file.sizeBytes).toBe(bytes.length)
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.file.sha256)
        if (card.demo) expect(card.name.toLowerCase()).toContain('demo')
      })

      it('declares exactly the session inputs and outputs, with the declared shapes at batch 1', async () => {
        const session = await ort.InferenceSession.create(join(modelDir, file), { executionProviders: ['cpu'] })
        expect(session.inputNames).toEqual([card.input.name])
        expect([...session.outputNames].sort()).toEqual(declaredOutputs(card).map((o) => o.name).sort())
        const dims = card.input.shape.map((d) => (d === -1 ? 1 : d))
        const input = new ort.Tensor('float32', lcgUniform(dims.reduce((a, b) => a * b, 1), 7), dims)
        const result = await session.run({ [card.input.name]: input })
        for (const output of declaredOutputs(card)) {
          expect(outputOf(result, output.name).dims, output.name).toEqual(output.shape.map((d) => (d === -1 ? 1 : d)))
        }
        expect(card.outputs.logits.shape).toEqual([-1, card.classes.length])
      })

      it('agrees with PyTorch on every output', async () => {
        const headerPath = join(fixtureDir, file.replace(/\.onnx$/, '.parity.json'))
        expect(existsSync(headerPath), `missing parity fixture ${headerPath}`).toBe(true)
        const header = JSON.parse(readFileSync(headerPath, 'utf8')) as ParityHeader
        expect(header.model).toBe(file)
        const blob = readFileSync(headerPath.replace(/\.json$/, '.bin'))
        const reference = new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
        const session = await ort.InferenceSession.create(join(modelDir, file), { executionProviders: ['cpu'] })
        const count = header.input.shape.reduce((a, b) => a * b, 1)
        const input = new ort.Tensor('float32', lcgUniform(count, header.input.seed), header.input.shape)
        const result = await session.run({ [header.input.name]: input })
        expect(header.outputs.map((o) => o.name).sort()).toEqual(declaredOutputs(card).map((o) => o.name).sort())
        for (const output of header.outputs) {
          const tensor = outputOf(result, output.name)
          const actual = toNumbers(tensor)
          expect(tensor.dims, output.name).toEqual(output.shape)
          const expected = reference.subarray(output.offset / 4, output.offset / 4 + output.length)
          let worst = 0
          for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!))
          expect(worst, `${output.name}: max |onnx - torch|`).toBeLessThanOrEqual(output.dtype === 'int64' ? 0 : header.tolerance)
        }
      })
    })
  }
})
