import { describe, expect, it } from 'vitest'
import { classMappingLine, codedClassFor } from '../../../src/shared/domain/class-set'
import { parseModelCard, type ClassSet } from '../../../src/shared/domain/model-card'
import bundled from '../../../resources/models/cbamnet-demo.card.json'

const MEGC = ['negative', 'positive', 'surprise']
// models/registry.py CLASS_SETUPS, as the kit writes them into a card's classSet
const CBAMNET_3: ClassSet = {
  name: 'cbamnet-3', description: 'CBAMNet on CASME II', paperSets: { 'CASME II': 'cbamnet-3', 'SMIC-HS': 'megc3' },
  labels: { disgust: 'negative', repression: 'negative', happiness: 'positive', surprise: 'surprise' },
}
const CASME2_5: ClassSet = {
  name: 'casme2-5', description: 'ASTNet on CASME II', paperSets: { 'CASME II': 'casme2-5', SMIC: 'megc3' },
  labels: { happiness: 'happiness', surprise: 'surprise', disgust: 'disgust', repression: 'repression', others: 'others', other: 'others' },
}

describe('coded emotions onto a model\'s classes', () => {
  it('without a class set: the class of the same name, else the MEGC rule for the three MEGC classes', () => {
    expect(codedClassFor('Happiness', { classes: ['happiness', 'disgust'] })).toBe('happiness')
    expect(codedClassFor('happy', { classes: ['happiness', 'disgust'] })).toBe('happiness')
    expect(codedClassFor('fear', { classes: MEGC })).toBe('negative')
    expect(codedClassFor('repression', { classes: MEGC })).toBe('negative')
    expect(codedClassFor('others', { classes: MEGC })).toBeNull()
    expect(codedClassFor('fear', { classes: ['happiness', 'disgust'] })).toBeNull()
    // a hand-written four-class card: its "other" takes the coded "others"; repression, without a class set, has none
    expect(codedClassFor('Others', { classes: ['positive', 'negative', 'surprise', 'other'] })).toBe('other')
    expect(codedClassFor('repression', { classes: ['positive', 'negative', 'surprise', 'other'] })).toBeNull()
    expect(codedClassFor(null, { classes: MEGC })).toBeNull()
    expect(codedClassFor('  ', { classes: MEGC })).toBeNull()
  })

  it("with CBAMNet's class set: negative is disgust and repression only", () => {
    const model = { classes: MEGC, classSet: CBAMNET_3 }
    expect(codedClassFor('Disgust', model)).toBe('negative')
    expect(codedClassFor('repression', model)).toBe('negative')
    expect(codedClassFor('fear', model)).toBeNull()
    expect(codedClassFor('sadness', model)).toBeNull()
    expect(codedClassFor('happy', model)).toBe('positive')
    expect(classMappingLine(model)).toBe('cbamnet-3: negative ← disgust, repression; positive ← happiness; surprise ← surprise; other labels left out')
  })

  it("with ASTNet's five CASME II emotions: others included, synonyms canonicalised", () => {
    const model = { classes: ['happiness', 'surprise', 'disgust', 'repression', 'others'], classSet: CASME2_5 }
    expect(codedClassFor('other', model)).toBe('others')
    expect(codedClassFor('Others', model)).toBe('others')
    expect(codedClassFor('fear', model)).toBeNull()
    expect(codedClassFor('constructor', model)).toBeNull()
  })

  it('names the fallback rule when the card has no class set', () => {
    expect(classMappingLine({ classes: ['happiness', 'disgust'] })).toBe('coded emotions matched to the class names (the card names no class set); other labels left out')
  })

  it('refuses a card whose class set maps onto a class it does not have', () => {
    const card = { ...bundled, classSet: { ...CBAMNET_3, labels: { ...CBAMNET_3.labels, others: 'other' } } }
    const parsed = parseModelCard(card)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues).toEqual(['classSet.labels.others: "other" is not one of the card\'s classes (negative, positive, surprise)'])
    expect(parseModelCard({ ...bundled, classSet: CBAMNET_3 }).ok).toBe(true)
  })
})
