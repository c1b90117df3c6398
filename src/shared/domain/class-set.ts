/**
 * Which of a model's classes a sample's coded emotion is (evaluation, prediction exports, Inspect).
 *
 * A card that names its class set (`classSet`, written by the models kit from registry.CLASS_SETUPS) is the
 * whole rule: its `labels`, nothing else, so a model is scored on the samples it was trained to tell apart —
 * MS-3D-ResNet's four classes with repression in "other", ASTNet's five CASME II emotions, CBAMNet's negative
 * = disgust + repression (fear and sadness left out). A card without one (written before it, or by hand):
 * the emotion itself when it is a class (any case, dataset synonyms on either side), else, for a model with the
 * negative/positive/surprise classes, the MEGC 2019 composite mapping.
 */
import { MEGC_2019_MAPPING, MEGC_CLASSES, canonicalEmotion, megcClassOf } from './dataset'
import type { ClassSet } from './model-card'

/** The card fields the mapping reads. */
export interface ModelClasses {
  classes: readonly string[]
  classSet?: ClassSet | null
}

/** The coded emotion as one of the model's classes, or null when it has none there (left out of evaluations). */
export function codedClassFor(emotion: string | null, model: ModelClasses): string | null {
  if (emotion === null || emotion.trim() === '') return null
  const raw = emotion.trim().toLowerCase()
  const canonical = canonicalEmotion(emotion)
  if (model.classSet) {
    const labels = model.classSet.labels
    const key = [canonical, raw].find((k): k is string => k !== null && Object.hasOwn(labels, k))
    const cls = key === undefined ? undefined : labels[key]
    return cls !== undefined && model.classes.includes(cls) ? cls : null
  }
  // class names canonicalised too, so a hand-written card's "other" or "happy" takes the coded "others" or "happiness"
  const lower = new Map(model.classes.flatMap((c) => [[c.toLowerCase(), c], [canonicalEmotion(c) ?? c.toLowerCase(), c]] as const))
  const direct = lower.get(raw) ?? lower.get(canonical ?? '')
  if (direct !== undefined) return direct
  if (isMegcClassSet(model.classes)) {
    const megc = megcClassOf(emotion)
    return megc === null ? null : (lower.get(megc) ?? null)
  }
  return null
}

/**
 * How coded emotions became this model's classes, in one line for reports: the card's class set with each
 * class's emotions, or which fallback rule applied.
 */
export function classMappingLine(model: ModelClasses): string {
  if (model.classSet) {
    const { name, labels } = model.classSet
    return `${name}: ${groups(model.classes, Object.entries(labels))}; other labels left out`
  }
  if (isMegcClassSet(model.classes)) {
    return `MEGC 2019 composite (the card names no class set): ${groups(model.classes, Object.entries(MEGC_2019_MAPPING))}; other labels left out`
  }
  return 'coded emotions matched to the class names (the card names no class set); other labels left out'
}

/** 'negative ← disgust, repression; positive ← happiness; …' in the model's class order. */
function groups(classes: readonly string[], pairs: [string, string][]): string {
  return classes.map((c) => `${c} ← ${pairs.filter(([, to]) => to === c).map(([from]) => from).join(', ') || '(none)'}`).join('; ')
}

function isMegcClassSet(classes: readonly string[]): boolean {
  const set = new Set(classes.map((c) => c.toLowerCase()))
  return set.size === MEGC_CLASSES.length && MEGC_CLASSES.every((c) => set.has(c))
}
