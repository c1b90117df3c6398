import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { ModelCard } from '@shared/domain/model-card'
import type { BatchSelection } from '@shared/domain/batch'
import { canonicalEmotion, megcClassOf } from '@shared/domain/dataset'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'
import { SampleScope, type BatchSample, type SamplePrediction } from '../batch/predictor'
import type { BatchStore } from '../batch/store'
import { writeFileAtomic } from '../fs-atomic'
import { csvHeader, plainCsvRow } from '../formats/csv'
import { encodeNpy } from './npy'

/**
 * Training-set export for the models kit (`models/README.md`, "Training-set export format"):
 * per model recipe a folder with `manifest.csv` (dataset, subject, sample, label, onset, apex,
 * offset, input), the inputs as float32 `.npy` arrays without the batch axis — built by the same
 * code and cache as prediction — a subject-safe LOSO fold file `folds.csv` (one fold per
 * (dataset, subject), numbered in the kit's order) and `training-set.json` describing the export
 * (with the card's preprocessing recipe, which the kit checks against the config it trains).
 * The folder appears complete or not at all: it is built beside the target and renamed into place.
 */

export interface TrainingRecipe {
  modelId: string
  recipeId: string
  /** The card's input shape without the batch axis. */
  inputShape: number[]
  card: ModelCard
}

export interface TrainingInput {
  data: Float32Array
  /** Without the batch axis. */
  shape: number[]
  frames: SamplePrediction['frames']
}

export interface TrainingInputSource {
  recipes(modelRefs: readonly string[]): Promise<TrainingRecipe[]>
  buildInput(sample: BatchSample, recipe: TrainingRecipe, options: { signal: AbortSignal; scope: SampleScope }): Promise<TrainingInput>
}

/** `megc`: MEGC 2019 composite classes (others dropped), what the kit trains on; `emotion`: the coded emotion. */
export type TrainingLabels = 'megc' | 'emotion'

export interface TrainingSetOptions {
  outDir: string
  /** Replace an earlier training-set export in `outDir` (never a folder holding anything else). */
  overwrite?: boolean
  modelRefs: string[]
  selection: BatchSelection
  labels: TrainingLabels
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

export interface TrainingSetResult {
  folders: { modelId: string; dir: string; samples: number }[]
  skipped: { uncoded: number; unlabelled: number }
  failed: { sample: string; modelId: string; error: StudioErrorShape }[]
}

/** The file that describes an export (and marks a folder as one). */
const DESCRIPTION = 'training-set.json'

const MANIFEST_COLUMNS = ['dataset', 'subject', 'sample', 'label', 'onset', 'apex', 'offset', 'input'] as const

function trainingLabel(emotion: string | null, labels: TrainingLabels): string | null {
  if (emotion === null) return null
  return labels === 'megc' ? megcClassOf(emotion) : (canonicalEmotion(emotion) ?? emotion.trim().toLowerCase())
}

interface FolderState {
  recipe: TrainingRecipe
  dir: string
  manifest: string
  groups: Map<string, { dataset: string; subject: string; samples: number }>
  names: Set<string>
  samples: number
}

export async function exportTrainingSet(store: BatchStore, source: TrainingInputSource, options: TrainingSetOptions): Promise<TrainingSetResult> {
  const signal = options.signal ?? new AbortController().signal
  const recipes = await source.recipes(options.modelRefs)
  if (recipes.length === 0) throw new StudioError('invalid-input', 'Choose at least one model whose recipe the training set follows')
  await assertFreeTarget(options.outDir, options.overwrite ?? false)
  const staging = join(dirname(options.outDir), `.${basename(options.outDir)}.partial-${randomBytes(4).toString('hex')}`)
  const folders: FolderState[] = recipes.map((recipe) => ({
    recipe,
    dir: recipes.length === 1 ? staging : join(staging, recipe.modelId),
    manifest: csvHeader(MANIFEST_COLUMNS),
    groups: new Map(),
    names: new Set(),
    samples: 0,
  }))
  const result: TrainingSetResult = { folders: [], skipped: { uncoded: 0, unlabelled: 0 }, failed: [] }
  try {
    for (const folder of folders) await mkdir(join(folder.dir, 'inputs'), { recursive: true })
    let total = 0
    for (const _ of store.iterateSamples(options.selection)) total += 1
    let done = 0
    for (const sample of store.iterateSamples(options.selection)) {
      if (signal.aborted) throw new StudioError('cancelled', 'Training-set export cancelled')
      const label = trainingLabel(sample.coded?.emotion ?? null, options.labels)
      if (sample.coded === null) result.skipped.uncoded += 1
      else if (label === null) result.skipped.unlabelled += 1
      else {
        const scope = new SampleScope() // shared by the recipes of this sample only
        for (const folder of folders) await addSample(folder, sample, label, source, { signal, scope }, result)
      }
      options.onProgress?.(++done, total)
    }
    for (const folder of folders) {
      await writeFileAtomic(join(folder.dir, 'manifest.csv'), folder.manifest)
      await writeFileAtomic(join(folder.dir, 'folds.csv'), foldsCsv(folder))
      await writeFileAtomic(join(folder.dir, DESCRIPTION), describe(folder, options))
    }
    // Without overwrite, a folder that appeared meanwhile is never removed: rename refuses a non-empty one.
    if (options.overwrite) await rm(options.outDir, { recursive: true, force: true })
    await rename(staging, options.outDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw new StudioError('export/target-exists', `${options.outDir} appeared during the export and is not empty: nothing was replaced`, { path: options.outDir })
      throw error
    })
  } catch (error) {
    await rm(staging, { recursive: true, force: true })
    throw error
  }
  result.folders = folders.map((f) => ({
    modelId: f.recipe.modelId,
    dir: recipes.length === 1 ? options.outDir : join(options.outDir, f.recipe.modelId),
    samples: f.samples,
  }))
  return result
}

async function addSample(
  folder: FolderState,
  sample: BatchSample,
  label: string,
  source: TrainingInputSource,
  { signal, scope }: { signal: AbortSignal; scope: SampleScope },
  result: TrainingSetResult,
): Promise<void> {
  let input: TrainingInput
  try {
    input = await source.buildInput(sample, folder.recipe, { signal, scope })
    const expected = folder.recipe.inputShape.join('x')
    if (input.shape.join('x') !== expected) throw new StudioError('model/mismatch', `input shape ${input.shape.join('x')} is not the card's ${expected}`)
  } catch (error) {
    if (signal.aborted) throw error
    const shape = error instanceof StudioError ? error.toShape() : { code: 'internal' as const, message: String((error as Error).message ?? error) }
    result.failed.push({ sample: `${sample.dataset}/${sample.subject}/${sample.name}`, modelId: folder.recipe.modelId, error: shape })
    return
  }
  const file = `inputs/${uniqueName(folder.names, `${safe(sample.dataset)}__${safe(sample.subject)}__${safe(sample.name)}`)}.npy`
  await writeFileAtomic(join(folder.dir, file), encodeNpy(input.data, input.shape))
  folder.manifest += plainCsvRow([sample.dataset, sample.subject, sample.name, label, input.frames.onset, input.frames.apex, input.frames.offset, file])
  const key = `${sample.dataset}\u0000${sample.subject}`
  const group = folder.groups.get(key) ?? { dataset: sample.dataset, subject: sample.subject, samples: 0 }
  group.samples += 1
  folder.groups.set(key, group)
  folder.samples += 1
}

/** LOSO folds in the kit's order: groups sorted by (dataset, subject), fold k holds out group k. */
function foldsCsv(folder: FolderState): string {
  const groups = [...folder.groups.values()].sort((a, b) => (a.dataset === b.dataset ? cmp(a.subject, b.subject) : cmp(a.dataset, b.dataset)))
  return csvHeader(['fold', 'dataset', 'subject', 'samples']) + groups.map((g, k) => plainCsvRow([k, g.dataset, g.subject, g.samples])).join('')
}

function describe(folder: FolderState, options: TrainingSetOptions): string {
  return JSON.stringify(
    {
      format: 'me-studio.training-set/1',
      model: folder.recipe.modelId,
      recipeId: folder.recipe.recipeId,
      inputShape: folder.recipe.inputShape,
      // The recipe itself: models/train.py refuses to train a config whose card would declare another one.
      preprocessing: folder.recipe.card.preprocessing,
      labels: options.labels === 'megc' ? 'MEGC 2019 composite (negative, positive, surprise; others dropped)' : 'coded emotion',
      selection: options.selection,
      samples: folder.samples,
      groups: folder.groups.size,
      folds: 'folds.csv: one LOSO fold per (dataset, subject), numbered as models/train.py numbers them',
    },
    null,
    2,
  ) + '\n'
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_')
}

function uniqueName(taken: Set<string>, base: string): string {
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`
  taken.add(name)
  return name
}

/**
 * The target must not exist, or be an empty folder: an export never mixes with other files. With
 * `overwrite` it may also be an earlier training-set export (its description file at the top or in
 * each model's folder), which is replaced as a whole once the new one is complete.
 */
async function assertFreeTarget(dir: string, overwrite: boolean): Promise<void> {
  const facts = await stat(dir).catch(() => null)
  if (!facts) return
  if (!facts.isDirectory()) throw new StudioError('invalid-input', `${dir} is a file, not a folder: choose a new folder for the training set`)
  const entries = await readdir(dir, { withFileTypes: true })
  if (entries.length === 0) {
    await rmdir(dir)
    return
  }
  if (!overwrite) {
    throw new StudioError('export/target-exists', `${dir} already exists and is not an empty folder: choose a new folder for the training set, or ask to replace an earlier export (overwrite; on the command line --force)`, { path: dir })
  }
  const earlierExport = entries.some((e) => e.name === DESCRIPTION)
    || (entries.every((e) => e.isDirectory()) && (await Promise.all(entries.map((e) => stat(join(dir, e.name, DESCRIPTION)).then(() => true, () => false)))).every(Boolean))
  if (!earlierExport) {
    throw new StudioError('invalid-input', `${dir} holds files that are not a training-set export (no ${DESCRIPTION}): it is never replaced, choose a new folder`)
  }
}
