import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseModelCard, type PaperResult } from '../../../src/shared/domain/model-card'
import { paperResultLine, protocolDifference } from '../../../src/shared/domain/paper-results'

const card = (name: string) => {
  const parsed = parseModelCard(JSON.parse(readFileSync(resolve(__dirname, '../../../resources/models', name), 'utf8')))
  if (!parsed.ok) throw new Error(parsed.issues.join('; '))
  return parsed.card
}
const MEGC = ['negative', 'positive', 'surprise']

describe('paper results', () => {
  it('quotes Off-TANet from its card in one line', () => {
    const results = card('off_tanet-demo.card.json').paper.results!
    expect(results).toHaveLength(1)
    expect(paperResultLine(results[0]!)).toBe(
      'CASME + CASME II + CAS(ME)^2 combined (49 subjects, 294 samples; not the MEGC 2019 composite) · negative, positive, surprise · LOSO, 49 folds (per-fold mean): UAR 0.7315, UF1 0.7242 (Table 2)',
    )
  })

  it('names every difference between a studio run and the paper', () => {
    const ms3d = card('ms3d_resnet-demo.card.json').paper.results!
    const note = protocolDifference(ms3d, { perFold: false, classes: MEGC })
    expect(note).toContain("the paper's split is leave-one-sample-out")
    expect(note).toContain('one model over every evaluated sample')
    // leave-one-sample-out accuracy is pooled, and the first result is SMIC with the three classes
    expect(note).not.toContain('averages')
    expect(note).not.toContain("the paper's classes")
  })

  it('says when the paper does not state how it combined its folds', () => {
    const ast = card('ast_svmnet-demo.card.json').paper.results!
    expect(protocolDifference(ast, { perFold: true, classes: MEGC })).toBe(
      "Not the paper's protocol: the paper does not say how it combines its folds; the studio pools. The paper's figures are not comparable with these.",
    )
  })

  it('says nothing when a result was obtained as the studio evaluates', () => {
    const ststnet = card('ststnet-demo.card.json').paper.results!
    expect(protocolDifference(ststnet, { perFold: true, classes: MEGC })).toBeNull()
    expect(protocolDifference(ststnet, { perFold: true, classes: ['negative', 'positive'] })).toContain(
      "the paper's classes are negative, positive, surprise",
    )
  })

  it("says when the model's classes are made from other emotions than the paper's", () => {
    const cbam = card('cbamnet-demo.card.json').paper.results!
    // the MEGC set on CBAMNet: its CASME II figure had negative = disgust + repression, its SMIC one the MEGC labels
    const classSet = { name: 'megc3', description: 'MEGC 2019 composite', labels: { fear: 'negative' }, paperSets: { 'CASME II': 'cbamnet-3', 'SMIC-HS': 'megc3' } }
    const note = protocolDifference(cbam, { perFold: true, classes: MEGC, classSet })
    expect(note).toContain("the model's classes are made by the class set megc3 (MEGC 2019 composite), the paper's on CASME II by cbamnet-3")
    expect(note).toContain("the paper's split is 10-fold cross-validation")
    const ms3d = card('ms3d_resnet-demo.card.json').paper.results!
    const four = { name: 'ms3d-4', description: 'MS-3D-ResNet', labels: { repression: 'other' }, paperSets: { SMIC: 'megc3', SAMM: 'ms3d-4', 'CASME II': 'ms3d-4' } }
    // the closest result is SAMM's (same four classes by the same set): only its split differs
    expect(protocolDifference(ms3d, { perFold: true, classes: ['positive', 'negative', 'surprise', 'other'], classSet: four })).toBe(
      "Not the paper's protocol: the paper's split is leave-one-sample-out. The paper's figures are not comparable with these.",
    )
  })

  it('has nothing to compare without results', () => {
    expect(protocolDifference(undefined, { perFold: true, classes: MEGC })).toBeNull()
    expect(protocolDifference([] as PaperResult[], { perFold: true, classes: MEGC })).toBeNull()
  })

  it('rejects a result without figures', () => {
    const c = card('ststnet-demo.card.json')
    const bad = { ...c, paper: { ...c.paper, results: [{ ...c.paper.results![0]!, metrics: [] }] } }
    const parsed = parseModelCard(bad)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.issues[0]).toMatch(/^paper\.results\.0\.metrics/)
  })
})
