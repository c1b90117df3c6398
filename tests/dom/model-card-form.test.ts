import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { ModelCard } from '../../src/shared/domain/model-card'
import ModelCardForm from '../../src/renderer/src/components/inspect/ModelCardForm.vue'
import type { CardDraft } from '../../src/renderer/src/stores/inference'
import card from '../fixtures/inference/off_tanet-untrained.card.json'

function draft(): CardDraft {
  const base = structuredClone(card) as unknown as ModelCard
  // As the service drafts it for a file without a card: every non-logit output listed as "other".
  const other = base.outputs.attention.map((a) => ({ name: a.name, shape: a.shape, description: '' }))
  return {
    onnxPath: '/models/mine.onnx',
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', 3, 112, 112] }],
    outputs: [],
    draft: { ...base, id: 'mine', name: 'mine', outputs: { ...base.outputs, attention: [], other } },
  }
}

describe('ModelCardForm', () => {
  it('asks the service to add a path', async () => {
    const wrapper = mount(ModelCardForm, { props: { draft: null, error: null } })
    await wrapper.get('[data-testid=onnx-path]').setValue(' /models/mine.onnx ')
    await wrapper.get('form.add').trigger('submit')
    expect(wrapper.emitted('add')).toEqual([['/models/mine.onnx']])
  })

  it('turns the edited draft into a card: classes, recipe choices, outputs marked as attention', async () => {
    const wrapper = mount(ModelCardForm, { props: { draft: draft(), error: 'previous refusal: output "x" is missing' } })
    expect(wrapper.get('[data-testid=card-error]').text()).toContain('output "x" is missing')
    await wrapper.get('input[required]:nth-of-type(1)').setValue('mine')
    const labels = wrapper.findAll('label')
    await labels.find((l) => l.text().startsWith('Classes'))!.get('input').setValue('neg, pos, sur')
    await labels.find((l) => l.text().startsWith('Strain'))!.get('select').setValue('off-tanet')
    const spatial = wrapper.findAll('.role').find((r) => r.text().includes('spatial_attention'))!
    await spatial.get('input[type=checkbox]').setValue(true)
    await wrapper.get('form.draft').trigger('submit')
    const [path, saved] = wrapper.emitted('save')![0] as [string, ModelCard]
    expect(path).toBe('/models/mine.onnx')
    expect(saved.classes).toEqual(['neg', 'pos', 'sur'])
    expect(saved.preprocessing.strain).toEqual({ variant: 'off-tanet', derivative: 'sobel3-div8-reflect101' })
    expect(saved.outputs.attention).toEqual([
      expect.objectContaining({ name: 'spatial_attention', kind: 'spatial', shape: [-1, 1, 14, 14], axes: ['batch', 'axis1', 'y', 'x'], display: expect.objectContaining({ aggregation: 'map', overlay: 'input' }) }),
    ])
    expect(saved.outputs.other.map((o) => o.name)).toEqual(['channel_attention', 'self_attention'])
  })

  it('flow computed on larger frames: a whole multiple of the working size becomes flow.computeSize, another one is refused', async () => {
    const wrapper = mount(ModelCardForm, { props: { draft: draft(), error: null } })
    await wrapper.get('[data-testid=flow-size]').setValue(300)
    expect(wrapper.get('[role=alert]').text()).toBe('Flow size must be a whole multiple of the working size 112')
    expect(wrapper.get('button.primary').attributes('disabled')).toBeDefined()
    await wrapper.get('form.draft').trigger('submit')
    expect(wrapper.emitted('save')).toBeUndefined()
    await wrapper.get('[data-testid=flow-size]').setValue(224)
    await wrapper.get('form.draft').trigger('submit')
    const [, saved] = wrapper.emitted('save')![0] as [string, ModelCard]
    expect(saved.preprocessing.flow).toMatchObject({ method: 'tvl1', computeSize: [224, 224] })
    await wrapper.get('[data-testid=flow-size]').setValue(112)
    await wrapper.get('form.draft').trigger('submit')
    const [, atWorkingSize] = wrapper.emitted('save')![1] as [string, ModelCard]
    expect(atWorkingSize.preprocessing.flow).not.toHaveProperty('computeSize')
  })
})
