// Reference outputs (`<id>.reference.json`, models/export.py): every bundled model reproduces its
// own, and adding a model whose card does not reproduce them (swapped class order, another recipe,
// tampered hashes or outputs) is refused with the sample, expected vs got and the likely cause.
import { createHash } from 'node:crypto'
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseModelCard } from '../../../src/shared/domain/model-card'
import { assertCardMatches } from '../../../src/main/services/inference/card-check'
import { assertReproducesReference, parseReference } from '../../../src/main/services/inference/reference-check'
import { ModelRegistry } from '../../../src/main/services/inference/registry'
import { ortSessionFactory } from '../../../src/main/services/inference/onnx-session'

const modelDir = resolve(__dirname, '../../../resources/models')
const cards = readdirSync(modelDir).filter((f) => f.endsWith('.card.json')).sort()

type CardJson = Record<string, unknown> & { id: string; classes: string[]; file: { sha256: string }; reference: { file: string; sha256: string }; preprocessing: Record<string, unknown> }

const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex')

/** The bundled ststnet-demo copied into a fresh folder under `id`, its card changed by `edit`. */
function stagedModel(id: string, edit: (card: CardJson, dir: string) => void = () => undefined): { onnx: string; card: CardJson } {
  const dir = mkdtempSync(join(tmpdir(), 'me-ref-'))
  copyFileSync(join(modelDir, 'ststnet-demo.onnx'), join(dir, `${id}.onnx`))
  copyFileSync(join(modelDir, 'ststnet-demo.reference.json'), join(dir, `${id}.reference.json`))
  const card = JSON.parse(readFileSync(join(modelDir, 'ststnet-demo.card.json'), 'utf8')) as CardJson
  card.id = id
  card.reference.file = `${id}.reference.json`
  edit(card, dir)
  return { onnx: join(dir, `${id}.onnx`), card }
}

const emptyRegistry = (): ModelRegistry =>
  new ModelRegistry({ bundledDir: mkdtempSync(join(tmpdir(), 'me-ref-none-')), userDir: mkdtempSync(join(tmpdir(), 'me-ref-user-')), factory: ortSessionFactory })

describe('reference outputs', () => {
  for (const file of cards) {
    it(`${file}: the bundled model is its card's file and reproduces its reference outputs`, async () => {
      const parsed = parseModelCard(JSON.parse(readFileSync(join(modelDir, file), 'utf8')))
      if (!parsed.ok) throw new Error(parsed.issues.join('; '))
      const { card } = parsed
      expect(card.reference, 'bundled cards name their reference outputs').toBeDefined()
      const text = readFileSync(join(modelDir, card.reference!.file))
      expect(sha(text)).toBe(card.reference!.sha256)
      expect(sha(readFileSync(join(modelDir, card.file.name)))).toBe(card.file.sha256)
      const session = await ortSessionFactory(join(modelDir, card.file.name), 'cpu')
      try {
        // The registry trusts a bundled card's signature at run time (registry.ts): this is where it is checked.
        assertCardMatches(card, { inputs: session.inputs, outputs: session.outputs })
        await assertReproducesReference(card, parseReference(text.toString('utf8'), card.reference!.file), session)
      } finally {
        await session.release()
      }
    })
  }

  it('adds a model that reproduces them, and copies the reference file with it', async () => {
    const registry = emptyRegistry()
    const { onnx, card } = stagedModel('mine')
    const model = await registry.add(onnx, card)
    expect(model.card.reference?.file).toBe('mine.reference.json')
    expect(sha(readFileSync(join(model.cardPath, '..', 'mine.reference.json')))).toBe(card.reference.sha256)
    await registry.reload()
    expect((await registry.get('mine')).problem).toBeNull()
  })

  it('refuses a swapped class order, naming the sample, expected vs got and the cause', async () => {
    const predicted = (JSON.parse(readFileSync(join(modelDir, 'ststnet-demo.reference.json'), 'utf8')) as { predicted: string[] }).predicted[0]!
    const { onnx, card } = stagedModel('swapped', (c) => {
      const i = c.classes.indexOf(predicted)
      const j = (i + 1) % c.classes.length
      ;[c.classes[i], c.classes[j]] = [c.classes[j]!, c.classes[i]!]
    })
    const error = await emptyRegistry()
      .add(onnx, card)
      .then(() => null, (e: unknown) => e as Error & { code: string })
    expect(error?.code).toBe('model/mismatch')
    expect(error?.message).toContain(`reference sample 0: expected "${predicted}", got "`)
    expect(error?.message).toContain('class order differs')
  })

  it('refuses a card whose input recipe is not the export\'s', async () => {
    const { onnx, card } = stagedModel('recipe', (c) => {
      c.preprocessing = { ...c.preprocessing, strain: null }
    })
    await expect(emptyRegistry().add(onnx, card)).rejects.toThrow(/input recipe differs from the export's \(preprocessing\.strain: card null, export \{/)
  })

  it('refuses a tampered card sha256 with both hashes', async () => {
    const { onnx, card } = stagedModel('tampered', (c) => {
      c.file.sha256 = 'f'.repeat(64)
    })
    await expect(emptyRegistry().add(onnx, card)).rejects.toThrow(/its sha256 is [0-9a-f]{64}, its card says f{64}/)
  })

  it('refuses a reference file that is not the one the card names', async () => {
    const { onnx, card } = stagedModel('edited', (_c, dir) => {
      writeFileSync(join(dir, 'edited.reference.json'), readFileSync(join(dir, 'edited.reference.json'), 'utf8').replace('"tolerance": 0.0001', '"tolerance": 1'))
    })
    await expect(emptyRegistry().add(onnx, card)).rejects.toThrow(/sha256 of edited\.reference\.json is [0-9a-f]{64}, the card says/)
  })

  it('refuses outputs that do not reproduce, naming the sample and both values', async () => {
    const { onnx, card } = stagedModel('outputs', (c, dir) => {
      const path = join(dir, 'outputs.reference.json')
      const reference = JSON.parse(readFileSync(path, 'utf8')) as { outputs: { name: string; data: string }[] }
      const logits = reference.outputs.find((o) => o.name === 'logits')!
      const values = new Float32Array(Uint8Array.from(Buffer.from(logits.data, 'base64')).buffer)
      values[4] = values[4]! + 0.5 // sample 1
      logits.data = Buffer.from(values.buffer).toString('base64')
      const text = `${JSON.stringify(reference, null, 1)}\n`
      writeFileSync(path, text)
      c.reference.sha256 = sha(text)
    })
    await expect(emptyRegistry().add(onnx, card)).rejects.toThrow(/reference sample 1, output "logits": expected \[.*\], got \[.*\] \(max \|difference\| 0\.500/)
  })
})
