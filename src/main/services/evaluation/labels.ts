import { MEGC_CLASSES, canonicalEmotion, megcClassOf } from '@shared/domain/dataset'

/**
 * The coded label of a sample expressed in a model's classes, or null when the sample has no
 * counterpart there (it is then left out of the evaluation, like MEGC's "others"):
 * the emotion itself when the model has that class (any case, dataset synonyms), else — for a
 * model with the MEGC 2019 composite classes — the MEGC mapping (disgust → negative, …).
 */
export function codedClassFor(emotion: string | null, classes: readonly string[]): string | null {
  if (emotion === null || emotion.trim() === '') return null
  const lower = new Map(classes.map((c) => [c.toLowerCase(), c]))
  const direct = lower.get(emotion.trim().toLowerCase()) ?? lower.get(canonicalEmotion(emotion) ?? '')
  if (direct !== undefined) return direct
  if (isMegcClassSet(classes)) {
    const megc = megcClassOf(emotion)
    return megc === null ? null : (lower.get(megc) ?? null)
  }
  return null
}

function isMegcClassSet(classes: readonly string[]): boolean {
  const set = new Set(classes.map((c) => c.toLowerCase()))
  return set.size === MEGC_CLASSES.length && MEGC_CLASSES.every((c) => set.has(c))
}
