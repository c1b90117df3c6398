import { z } from 'zod'
import { BatchReferenceSchema } from './coding-source'

/**
 * Batch prediction domain, shared by the batch service, the CLI and the batch view: which
 * samples a batch covers (selection), how N machines split it (shard), and the LOSO fold
 * convention for per-fold models.
 */

export const CodedFilterSchema = z.enum(['any', 'coded', 'uncoded'])
export type CodedFilter = z.infer<typeof CodedFilterSchema>

export const BatchSelectionSchema = z.object({
  /** Dataset name as imported (the `dataset` column of exports). */
  dataset: z.string().min(1).optional(),
  subject: z.string().min(1).optional(),
  /** Emotion of the sample's reference coding (see `BatchSample.coded`). */
  emotion: z.string().min(1).optional(),
  coded: CodedFilterSchema.default('any'),
  /** Whose coding is each sample's reference (frames, emotion, coded or not); see `BatchReferenceSchema`. */
  reference: BatchReferenceSchema.optional(),
})
export type BatchSelection = z.infer<typeof BatchSelectionSchema>

/**
 * Parses the CLI's `--select` text: `all`, or comma-separated terms `dataset=NAME`,
 * `subject=S`, `emotion=E`, `coded`, `uncoded` (e.g. `dataset=casme2,subject=sub01,coded`).
 */
export function parseSelection(textValue: string): BatchSelection {
  const selection: BatchSelection = { coded: 'any' }
  const trimmed = textValue.trim()
  if (trimmed === '' || trimmed === 'all') return selection
  for (const term of trimmed.split(',').map((t) => t.trim())) {
    if (term === 'coded' || term === 'uncoded') {
      selection.coded = term
      continue
    }
    const match = /^(dataset|subject|emotion)=(.+)$/.exec(term)
    if (!match) throw new Error(`selection term "${term}" is not one of all, coded, uncoded, dataset=…, subject=…, emotion=…`)
    selection[match[1] as 'dataset' | 'subject' | 'emotion'] = match[2]!
  }
  return selection
}

export function formatSelection(selection: BatchSelection): string {
  const terms = [
    ...(selection.dataset ? [`dataset=${selection.dataset}`] : []),
    ...(selection.subject ? [`subject=${selection.subject}`] : []),
    ...(selection.emotion ? [`emotion=${selection.emotion}`] : []),
    ...(selection.coded !== 'any' ? [selection.coded] : []),
  ]
  return terms.length === 0 ? 'all' : terms.join(',')
}

/** Shard k of N, 1-based (`--shard 1/4` … `--shard 4/4`). */
export const ShardSchema = z
  .object({ index: z.number().int().positive(), count: z.number().int().positive() })
  .refine((s) => s.index <= s.count, { message: 'shard index must be between 1 and the shard count' })
export type Shard = z.infer<typeof ShardSchema>

export function parseShard(textValue: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(textValue.trim())
  const shard = match ? { index: Number(match[1]), count: Number(match[2]) } : null
  if (!shard || shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    throw new Error(`--shard must be k/N with 1 ≤ k ≤ N (e.g. 2/8), got "${textValue}"`)
  }
  return shard
}

/**
 * The shard a sample belongs to: FNV-1a (32 bit) over the UTF-16 code units of
 * `dataset␟subject␟sample`, mod N, plus 1. It depends only on the sample's identity, so every
 * machine computes the same split without coordination, whatever else is in its project, and
 * the N shards cover a selection exactly once.
 */
export function shardOf(dataset: string, subject: string, sample: string, count: number): number {
  const key = `${dataset}\u001f${subject}\u001f${sample}`
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return (hash % count) + 1
}

/**
 * Per-fold models of a subject-grouped cross-validation (the models kit, `models/train.py`) say
 * which (dataset, subject) groups they never saw in their card's `training.protocol`:
 * `loso, fold 3: trained without CASME II/sub04` (group-kfold: several groups joined by `+`),
 * and their id ends in `-fold<k>`. Such a model only ever predicts the samples it held out.
 */
export interface HeldOutGroup {
  dataset: string
  subject: string
}

export function heldOutGroupsOf(protocol: string): HeldOutGroup[] | null {
  const match = /\bfold \d+: trained without (.+)$/.exec(protocol.trim())
  if (!match) return null
  const groups = match[1]!.split('+').map((part) => {
    const slash = part.indexOf('/')
    return slash <= 0 ? null : { dataset: part.slice(0, slash), subject: part.slice(slash + 1) }
  })
  return groups.every((g) => g !== null) ? groups : null
}

/** Per-fold models of one cross-validation share their id up to `-fold<k>`. */
export function foldFamilyOf(modelId: string): string {
  return modelId.replace(/-fold\d+$/, '')
}

export function isHeldOutBy(groups: readonly HeldOutGroup[] | null, dataset: string, subject: string): boolean {
  return groups === null || groups.some((g) => g.dataset === dataset && g.subject === subject)
}

/** Whether the onset/apex/offset a prediction used came from the coding or were suggested (spotting, midpoint). */
export const FramesSourceSchema = z.enum(['coded', 'suggested'])
export type FramesSource = z.infer<typeof FramesSourceSchema>

/**
 * `coded` when the onset and offset came from a coding and the apex, where the model reads one,
 * too; `suggested` when any of them was found by spotting or taken as the middle frame. The batch
 * CSV's `frames_source` and Inspect's source line both say this word.
 */
export function framesSourceOf(codedOnsetOffset: boolean, apexSource: 'annotated' | 'spotted' | 'middle-frame' | null): FramesSource {
  return codedOnsetOffset && (apexSource === null || apexSource === 'annotated') ? 'coded' : 'suggested'
}
