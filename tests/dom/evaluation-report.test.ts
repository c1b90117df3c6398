import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { ModelCardSchema } from '@shared/domain/model-card'
import bundled from '../../resources/models/ststnet-demo.card.json'
import { classificationReport } from '@shared/metrics/classification'
import EvaluationReport from '../../src/renderer/src/components/EvaluationReport.vue'
import type { EvaluationReportDto } from '../../src/shared/ipc'

describe('EvaluationReport', () => {
  it('shows the pooled figures and the confusion matrix, and asks to inspect a misclassified sample', async () => {
    const overall = classificationReport(['negative', 'negative', 'positive'], ['negative', 'positive', 'positive'], ['negative', 'positive', 'surprise'])
    const report: EvaluationReportDto = {
      method: 'pooled',
      units: [
        {
          id: 'ststnet-demo',
          models: ['ststnet-demo'],
          perFold: false,
          figure: 'one model, pooled over its predictions',
          leakage: { subjectsKnown: true, seenInTraining: 2, note: '2 of 3 samples are from subjects the model was trained on: these are training-set figures, not held-out ones' },
          classes: ['negative', 'positive', 'surprise'],
          classMapping: 'MEGC 2019 composite (the card names no class set): negative ← disgust; positive ← happiness; surprise ← surprise; other labels left out',
          overall,
          perDataset: [{ dataset: 'ds', subject: null, report: overall }],
          perSubject: [],
          excluded: { uncoded: 1, notInClasses: 0, failed: 0, seenInTraining: 0 },
          misclassified: [{ dataset: 'ds', subject: 'sub01', sample: 'EP02_04', sampleId: 7, modelId: 'ststnet-demo', truth: 'negative', predicted: 'positive' }],
        },
      ],
    }
    const wrapper = mount(EvaluationReport, { props: { report } })
    expect(wrapper.get('[data-testid=uf1]').text()).toBe(overall.uf1!.toFixed(3))
    expect(wrapper.get('[data-testid=uar]').text()).toBe('0.750')
    expect(wrapper.get('[data-testid=evaluation-figure]').text()).toBe('Figure: one model, pooled over its predictions.')
    expect(wrapper.get('[data-testid=evaluation-classes]').text()).toBe(
      'Classes: MEGC 2019 composite (the card names no class set): negative ← disgust; positive ← happiness; surprise ← surprise; other labels left out.',
    )
    expect(wrapper.get('[data-testid=evaluation-leakage]').classes()).toContain('warn')
    expect(wrapper.get('[data-testid=evaluation-leakage]').text()).toMatch(/^Leakage: 2 of 3 samples are from subjects the model was trained on/)
    expect(wrapper.findAll('.confusion td').map((td) => td.text())).toEqual(['1', '1', '0', '0', '1', '0', '0', '0', '0'])
    await wrapper.get('[data-testid=misclassified-EP02_04]').trigger('click')
    expect(wrapper.emitted('inspect')).toEqual([[7, 'ststnet-demo']])
  })

  it("says when the run's protocol differs from the paper's, from the model's card", () => {
    const card = ModelCardSchema.parse(bundled)
    const overall = classificationReport(['negative', 'positive'], ['negative', 'positive'], ['negative', 'positive', 'surprise'])
    const unit = (perFold: boolean): EvaluationReportDto['units'][number] => ({
      id: 'ststnet-demo', models: ['ststnet-demo'], perFold, figure: '', leakage: null, classes: ['negative', 'positive', 'surprise'], classMapping: '', overall,
      perDataset: [], perSubject: [], excluded: { uncoded: 0, notInClasses: 0, failed: 0, seenInTraining: 0 }, misclassified: [],
    })
    const cardOf = (id: string) => (id === 'ststnet-demo' ? card : null)
    const single = mount(EvaluationReport, { props: { report: { method: 'pooled', units: [unit(false)] }, cardOf } })
    expect(single.get('[data-testid=paper-protocol-note]').text()).toBe(
      "Not the paper's protocol: this run is one model over every evaluated sample, not held-out folds. The paper's figures are not comparable with these.",
    )
    // STSTNet's paper pools LOSO predictions over the three classes, as held-out per-fold models do here
    const folds = mount(EvaluationReport, { props: { report: { method: 'pooled', units: [unit(true)] }, cardOf } })
    expect(folds.find('[data-testid=paper-protocol-note]').exists()).toBe(false)
    // the same names made from other emotions: a model trained on the MEGC set is not CBAMNet's CASME II one
    const dataset = card.paper.results![0]!.dataset
    const megc = { name: 'megc3', description: 'MEGC 2019 composite', labels: { fear: 'negative' }, paperSets: { [dataset]: 'megc3' } }
    const cbam = { ...card, classSet: { ...megc, paperSets: { [dataset]: 'cbamnet-3' } } }
    const other = mount(EvaluationReport, { props: { report: { method: 'pooled', units: [unit(true)] }, cardOf: () => cbam } })
    expect(other.get('[data-testid=paper-protocol-note]').text()).toContain(`the model's classes are made by the class set megc3 (MEGC 2019 composite), the paper's on ${dataset} by cbamnet-3`)
    const same = mount(EvaluationReport, { props: { report: { method: 'pooled', units: [unit(true)] }, cardOf: () => ({ ...card, classSet: megc }) } })
    expect(same.find('[data-testid=paper-protocol-note]').exists()).toBe(false)
  })
})
