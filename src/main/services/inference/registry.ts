/**
 * The model registry: bundled models (`resources/models/*.card.json` beside their `.onnx`) and
 * models the user added (copied with their card into `<userData>/models/`). A model is usable
 * only when its card passes the shared schema (`parseModelCard`), its file's sha256 and size
 * match the card, and the ONNX inputs/outputs agree with what the card declares; otherwise it is
 * listed as refused, with the specific reason.
 *
 * Cards are read when the registry loads; a model's file is checked (size, sha256, and for an
 * added model its ONNX signature — a session in the worker) the first time that model is asked
 * for, or for all of them when the list is: `me-studio predict --model X` does not open every
 * bundled model to run one. A bundled model's signature is not read at run time: its card was
 * written from that file, the test suite checks every bundled pair
 * (tests/integration/models/reference-outputs.test.ts), and the sha256 proves the file is those
 * bytes; an added model's card is a file the user can edit after adding it.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { parseModelCard, type ModelCard } from '@shared/domain/model-card'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'
import { assertCardMatches } from './card-check'
import type { SessionFactory, ValueInfo } from '../../workers/inference-protocol'
import { readModelSignature } from './onnx-session'
import { assertReproducesReference, readReference } from './reference-check'
import { writeFileAtomic } from '../fs-atomic'

export type ModelSource = 'bundled' | 'user'

export interface RegisteredModel {
  /** Card id, or the card file's name when the card could not be read. */
  id: string
  source: ModelSource
  cardPath: string
  onnxPath: string
  card: ModelCard | null
  /** Null when the model is usable. */
  problem: StudioErrorShape | null
  /** When an added model was added (its card file's time, ISO 8601); null for bundled ones. */
  addedAt: string | null
}

export interface UsableModel extends RegisteredModel {
  card: ModelCard
  problem: null
}

export interface ModelRegistryOptions {
  bundledDir: string
  userDir: string
  factory: SessionFactory
}

const CARD_SUFFIX = '.card.json'

export class ModelRegistry {
  private models = new Map<string, RegisteredModel>()
  private loaded: Promise<void> | null = null
  /** Per id, the model after its file check (once per load). */
  private checks = new Map<string, Promise<RegisteredModel>>()

  constructor(private readonly options: ModelRegistryOptions) {}

  /** Every model found, usable or refused (bundled first). Loads on first use. */
  async list(): Promise<RegisteredModel[]> {
    await this.ensureLoaded()
    for (const id of [...this.models.keys()]) await this.checked(id)
    return [...this.models.values()]
  }

  /** A usable model, or the reason it cannot be used. */
  async get(id: string): Promise<UsableModel> {
    await this.ensureLoaded()
    if (!this.models.has(id)) {
      const known = [...this.models.keys()]
      throw new StudioError('not-found', `No model with id "${id}"; ${known.length ? `known ids: ${known.join(', ')}` : 'no models are registered'}`)
    }
    const model = await this.checked(id)
    if (model.problem || !model.card) {
      const problem = model.problem ?? { code: 'model/invalid-card' as const, message: `Model "${id}" has no readable card` }
      throw new StudioError(problem.code, problem.message, problem.details)
    }
    return model as UsableModel
  }

  /** Rescans both folders (after files changed on disk). */
  async reload(): Promise<void> {
    this.loaded = this.scan()
    await this.loaded
  }

  /** The ONNX file's inputs and outputs, for the card form. */
  async signature(onnxPath: string): Promise<{ inputs: ValueInfo[]; outputs: ValueInfo[] }> {
    await assertNotEmpty(onnxPath)
    return readModelSignature(this.options.factory, onnxPath).catch((error: unknown) => {
      throw new StudioError('model/invalid-card', `Cannot read ${basename(onnxPath)} as an ONNX model: ${(error as Error).message}`)
    })
  }

  /**
   * Adds a user model: validates `cardJson` with the shared schema, checks the sha256 a card
   * carries against the file (a card written by the card form, `fromForm`, or one without a
   * sha256, gets the file's own: the user cannot know it), fills in the file's name and size,
   * checks the ONNX against the card and copies both into the user folder. A model is its id and
   * sha256: the same file again resolves to the registered model (bundled included); a different
   * file under a used id is refused with both hashes. A card naming reference outputs
   * (`<id>.reference.json` beside it, written by the models kit) must reproduce them: classes,
   * input recipe and outputs (`reference-check.ts`); the file is copied with the model. Refusals
   * throw `model/invalid-card`, `model/mismatch` or `conflict`.
   */
  async add(onnxPath: string, cardJson: unknown, options: { fromForm?: boolean; replaceSha256?: string } = {}): Promise<UsableModel> {
    await this.ensureLoaded()
    const size = await assertNotEmpty(onnxPath)
    const digest = await sha256(onnxPath)
    const claimed = options.fromForm ? undefined : claimedSha256(cardJson)
    if (claimed !== undefined && claimed !== digest) {
      throw new StudioError('model/mismatch', `${basename(onnxPath)}: its sha256 is ${digest}, its card says ${claimed}: the card is not this file's`)
    }
    const card = parseCardOrThrow(fillFileFacts(cardJson, basename(onnxPath), digest, size), basename(onnxPath))
    const existing = this.models.get(card.id)
    // A new version of an added model replaces it once the user confirmed the version it replaces.
    const replacing = existing?.source === 'user' && existing.card !== null && options.replaceSha256 === existing.card.file.sha256
    if (existing?.card && !replacing) {
      if (existing.card.file.sha256 === digest) return this.get(card.id)
      throw new StudioError(
        'conflict',
        `${existing.source === 'bundled' ? 'A bundled' : 'An added'} model already uses the id "${card.id}" with sha256 ${existing.card.file.sha256}; ` +
          `${basename(onnxPath)} has sha256 ${digest}: ${existing.source === 'bundled' ? 'give it another id in its card' : 'confirm it as a new version of that model, or give it another id in its card'}`,
        { id: card.id, source: existing.source, registeredSha256: existing.card.file.sha256, registeredVersion: existing.card.version, sha256: digest, version: card.version },
      )
    }
    if (existing && !replacing) throw new StudioError('conflict', `Another model already uses the id "${card.id}"`)
    assertCardMatches(card, await this.signature(onnxPath))
    const referencePath = card.reference ? join(dirname(onnxPath), card.reference.file) : null
    if (referencePath) await this.runReference(card, onnxPath, referencePath)

    await mkdir(this.options.userDir, { recursive: true })
    const target = join(this.options.userDir, `${card.id}.onnx`)
    const referenceName = `${card.id}.reference.json`
    const finalCard: ModelCard = {
      ...card,
      file: { ...card.file, name: basename(target) },
      ...(card.reference ? { reference: { ...card.reference, file: referenceName } } : {}),
    }
    const cardPath = join(this.options.userDir, `${card.id}${CARD_SUFFIX}`)
    if (onnxPath !== target) await atomicCopy(onnxPath, target)
    if (referencePath && referencePath !== join(this.options.userDir, referenceName)) await atomicCopy(referencePath, join(this.options.userDir, referenceName))
    if (replacing && existing.card?.reference && !card.reference) await rm(join(this.options.userDir, existing.card.reference.file), { force: true })
    await writeFileAtomic(cardPath, `${JSON.stringify(finalCard, null, 2)}\n`)
    const model: UsableModel = { id: card.id, source: 'user', cardPath, onnxPath: target, card: finalCard, problem: null, addedAt: new Date().toISOString() }
    this.models.set(card.id, model)
    this.checks.set(card.id, Promise.resolve(model))
    return model
  }

  /**
   * Adds what the CLI's `--model PATH` takes: an `.onnx` file with its `<name>.card.json` beside it,
   * or a folder of them (e.g. the per-fold models the models kit exports). Returns the models.
   */
  async addPath(path: string): Promise<UsableModel[]> {
    const facts = await stat(path).catch(() => null)
    if (!facts) throw new StudioError('not-found', `No model file or folder at ${path}`)
    const files = facts.isDirectory() ? (await readdir(path)).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(path, f)) : [path]
    if (files.length === 0) throw new StudioError('not-found', `No .onnx models in ${path}`)
    const models: UsableModel[] = []
    for (const onnx of files) {
      const cardPath = onnx.replace(/\.onnx$/, CARD_SUFFIX)
      const text = await readFile(cardPath, 'utf8').catch(() => {
        throw new StudioError('model/invalid-card', `${onnx} has no model card beside it (${cardPath})`)
      })
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch (error) {
        throw new StudioError('model/invalid-card', `${cardPath} is not readable JSON: ${(error as Error).message}`)
      }
      models.push(await this.add(onnx, json))
    }
    return models
  }

  /** Removes an added model (its file, card and reference outputs); bundled models stay. */
  async remove(id: string): Promise<void> {
    await this.ensureLoaded()
    const model = this.models.get(id)
    if (!model) throw new StudioError('not-found', `No model with id "${id}"`)
    if (model.source === 'bundled') throw new StudioError('invalid-input', `"${id}" is a bundled model: bundled models cannot be removed`)
    const files = [model.cardPath, model.onnxPath, ...(model.card?.reference ? [join(this.options.userDir, model.card.reference.file)] : [])]
    for (const file of files) await rm(file, { force: true })
    this.models.delete(id)
    this.checks.delete(id)
  }

  /** Runs a card's reference outputs (`reference-check.ts`) on a CPU session of the file; throws the refusal. */
  private async runReference(card: ModelCard, onnxPath: string, referencePath: string): Promise<void> {
    const reference = await readReference(card, referencePath, sha256)
    const session = await this.options.factory(onnxPath, 'cpu')
    try {
      await assertReproducesReference(card, reference, session)
    } finally {
      await session.release()
    }
  }

  private ensureLoaded(): Promise<void> {
    this.loaded ??= this.scan()
    return this.loaded
  }

  /** The model `id` with its file checked (cached until the next scan). */
  private checked(id: string): Promise<RegisteredModel> {
    let check = this.checks.get(id)
    if (!check) {
      const model = this.models.get(id)!
      check = (model.problem || !model.card ? Promise.resolve(model) : this.checkFile(model, model.card)).then((result) => {
        if (this.models.get(id) === model) this.models.set(id, result)
        return result
      })
      this.checks.set(id, check)
    }
    return check
  }

  private async scan(): Promise<void> {
    this.checks = new Map()
    const found = new Map<string, RegisteredModel>()
    for (const [dir, source] of [
      [this.options.bundledDir, 'bundled'],
      [this.options.userDir, 'user'],
    ] as const) {
      for (const cardPath of await cardFiles(dir)) {
        const model = await this.load(cardPath, source)
        if (found.has(model.id)) {
          found.set(`${model.id} (${source})`, {
            ...model,
            id: `${model.id} (${source})`,
            problem: { code: 'conflict', message: `Another model already uses the id "${model.id}"` },
          })
        } else found.set(model.id, model)
      }
    }
    this.models = found
  }

  private async load(cardPath: string, source: ModelSource): Promise<RegisteredModel> {
    const fallbackId = basename(cardPath, CARD_SUFFIX)
    const onnxDefault = join(dirname(cardPath), `${fallbackId}.onnx`)
    const addedAt = source === 'user' ? ((await stat(cardPath).catch(() => null))?.mtime.toISOString() ?? null) : null
    const refused = (problem: StudioErrorShape, card: ModelCard | null = null, onnxPath = onnxDefault): RegisteredModel => ({
      id: card?.id ?? fallbackId,
      source,
      cardPath,
      onnxPath,
      card,
      problem,
      addedAt,
    })
    let json: unknown
    try {
      json = JSON.parse(await readFile(cardPath, 'utf8'))
    } catch (error) {
      return refused({ code: 'model/invalid-card', message: `${basename(cardPath)} is not readable JSON: ${(error as Error).message}` })
    }
    let card: ModelCard
    try {
      card = parseCardOrThrow(json, basename(cardPath))
    } catch (error) {
      return refused((error as StudioError).toShape())
    }
    return { id: card.id, source, cardPath, onnxPath: join(dirname(cardPath), card.file.name), card, problem: null, addedAt }
  }

  /** Size, sha256 and (added models) ONNX signature of a model's file against its card: the model, or it refused with the reason. */
  private async checkFile(model: RegisteredModel, card: ModelCard): Promise<RegisteredModel> {
    const { onnxPath } = model
    const refused = (problem: StudioErrorShape): RegisteredModel => ({ ...model, problem })
    try {
      const size = await assertNotEmpty(onnxPath)
      if (size !== card.file.sizeBytes) {
        throw new StudioError('model/mismatch', `Model "${card.id}": ${card.file.name} has ${size} bytes, the card says ${card.file.sizeBytes}`)
      }
      const digest = await sha256(onnxPath)
      if (digest !== card.file.sha256) {
        throw new StudioError('model/mismatch', `Model "${card.id}": sha256 of ${card.file.name} is ${digest}, the card says ${card.file.sha256}`)
      }
      // Bundled: checked when built (see the top of this file). Reading the signature opens a
      // session, ≈60 ms on the way to a batch's first sample.
      if (model.source !== 'bundled') assertCardMatches(card, await this.signature(onnxPath))
      // The reference outputs ran when the model was added; here their file must still be the card's.
      if (card.reference) await readReference(card, join(dirname(onnxPath), card.reference.file), sha256)
    } catch (error) {
      if (error instanceof StudioError) return refused(error.toShape())
      return refused({ code: 'not-found', message: `Model "${card.id}": ${card.file.name} cannot be read (${(error as Error).message})` })
    }
    return model
  }
}

/** An empty file is no model: said so plainly (not as the card's size check failing). Returns the size. */
async function assertNotEmpty(onnxPath: string): Promise<number> {
  const { size } = await stat(onnxPath)
  if (size === 0) throw new StudioError('invalid-input', `${onnxPath}: the model file is empty (0 bytes)`)
  return size
}

function parseCardOrThrow(json: unknown, what: string): ModelCard {
  const parsed = parseModelCard(json)
  if (!parsed.ok) {
    throw new StudioError('model/invalid-card', `${what}: invalid model card: ${parsed.issues.join('; ')}`, { issues: parsed.issues })
  }
  return parsed.card
}

/** The sha256 a card file states, if any. */
function claimedSha256(cardJson: unknown): string | undefined {
  const file = typeof cardJson === 'object' && cardJson !== null ? (cardJson as { file?: unknown }).file : undefined
  const digest = typeof file === 'object' && file !== null ? (file as { sha256?: unknown }).sha256 : undefined
  return typeof digest === 'string' ? digest : undefined
}

/** The card form cannot know the file's digest and size: the service writes them (a stated digest was checked first). */
function fillFileFacts(cardJson: unknown, name: string, digest: string, sizeBytes: number): unknown {
  if (typeof cardJson !== 'object' || cardJson === null) return cardJson
  const card = cardJson as Record<string, unknown>
  const file = typeof card.file === 'object' && card.file !== null ? (card.file as Record<string, unknown>) : {}
  return { ...card, file: { opset: 17, ...file, name, sha256: digest, sizeBytes } }
}

async function cardFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((f) => f.endsWith(CARD_SUFFIX))
      .sort()
      .map((f) => join(dir, f))
  } catch {
    return []
  }
}

export function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

async function atomicCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.${process.pid}.tmp`
  await copyFile(from, tmp)
  await rename(tmp, to)
}
