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

  it('says when a card quotes nothing from its paper', () => {
    const bare = { ...card, metrics: [], paper: { ...card.paper, results: undefined } }
    const wrapper = mount(ModelFigures, { props: { card: bare } })
    expect(wrapper.text()).toContain('The card quotes no figures from the paper.')
    expect(wrapper.text()).toContain('The card states no UF1, UAR or accuracy.')
  })
})
