import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { ModelCardSchema } from '@shared/domain/model-card'
import bundled from '../../resources/models/off_tanet-demo.card.json'
import ModelFigures from '../../src/renderer/src/components/inspect/ModelFigures.vue'

const card = ModelCardSchema.parse(bundled)

describe('ModelFigures', () => {
  it("shows the demo's own figures beside the paper's, and the deviations", () => {
    const wrapper = mount(ModelFigures, { props: { card } })
    const own = wrapper.get('[data-testid=own-figures]').findAll('li').map((li) => li.text())
    const uf1 = card.metrics.find((m) => m.name === 'UF1')!
    expect(own).toContain(`UF1 ${uf1.value.toFixed(4)}`)
    expect(wrapper.get('[data-testid=paper-figures]').text()).toContain('LOSO, 49 folds (per-fold mean): UAR 0.7315, UF1 0.7242 (Table 2)')
    expect(wrapper.get('[data-testid=deviations]').findAll('li')).toHaveLength(card.deviations.length)
    expect(wrapper.text()).toContain('(demo, synthetic data)')
  })

  it('names the MEGC rule for a card without a class set', () => {
    const wrapper = mount(ModelFigures, { props: { card: { ...card, classSet: undefined } } })
    expect(wrapper.get('[data-testid=model-classes]').text()).toMatch(/^Classes: MEGC 2019 composite \(the card names no class set\): negative ← anger, /)
  })

  it("names the card's class set and says when the paper used another", () => {
    const labels = { disgust: 'negative', repression: 'negative', fear: 'negative', happiness: 'positive', surprise: 'surprise' }
    const megc = { ...card, classSet: { name: 'megc3', description: 'MEGC 2019 composite', labels, paperSets: { 'CASME II': 'cbamnet-3', 'SMIC-HS': 'megc3' } } }
    expect(mount(ModelFigures, { props: { card: megc } }).get('[data-testid=model-classes]').text()).toBe(
      'Classes: megc3: negative ← disgust, repression, fear; positive ← happiness; surprise ← surprise; other labels left out.',
    )
    const notPaper = { ...megc, classSet: { ...megc.classSet, paperSets: { 'CASME II': 'cbamnet-3' } } }
    expect(mount(ModelFigures, { props: { card: notPaper } }).get('[data-testid=model-classes]').text()).toContain("Not a class set of the paper's results (cbamnet-3).")
  })

  it('says when a card quotes nothing from its paper', () => {
    const bare = { ...card, metrics: [], paper: { ...card.paper, results: undefined } }
    const wrapper = mount(ModelFigures, { props: { card: bare } })
    expect(wrapper.text()).toContain('The card quotes no figures from the paper.')
    expect(wrapper.text()).toContain('The card states no UF1, UAR or accuracy.')
  })
})
