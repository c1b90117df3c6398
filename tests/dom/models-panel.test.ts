import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { ModelCard } from '../../src/shared/domain/model-card'
import type { ModelSummary } from '../../src/shared/ipc'
import InspectView from '../../src/renderer/src/views/InspectView.vue'
import { fakeTransport, installFake } from './helpers/fake-transport'
import cardJson from '../../resources/models/ststnet-demo.card.json'

const bundledCard = cardJson as unknown as ModelCard

const added = (id: string, sha: string, version = '1.0.0'): ModelSummary => ({
  id,
  source: 'user',
  card: { ...structuredClone(bundledCard), id, name: `STSTNet ${id}`, version, demo: false, file: { ...bundledCard.file, name: `${id}.onnx`, sha256: sha }, training: { ...bundledCard.training, subjects: ['casme2/01', 'casme2/02'] } },
  recipeId: 'r',
  problem: null,
  addedAt: '2026-12-07T05:00:00.000Z',
})

describe('Models panel', () => {
  it('lists, shows, adds a folder, confirms a new version and removes an added model; bundled ones have no Remove', async () => {
    const bundled: ModelSummary = { id: 'ststnet-demo', source: 'bundled', card: bundledCard, recipeId: 'r', problem: null, addedAt: null }
    let models: ModelSummary[] = [bundled, { id: 'broken', source: 'user', card: null, recipeId: null, problem: { code: 'model/mismatch', message: 'sha256 of broken.onnx is aa, the card says bb' }, addedAt: null }]
    const fold0 = added('mine-fold0', 'a'.repeat(64))
    const fake = fakeTransport({
      'query:models.list': () => ({ models, providers: { order: ['cpu'], unavailable: [] } }),
      'query:models.providers': () => ({ standings: [] }),
      'command:models.add': ({ onnxPath, replaceSha256 }: { onnxPath: string; replaceSha256?: string }) => {
        if (onnxPath === '/kit/folds') {
          models = [...models, fold0, added('mine-fold1', 'b'.repeat(64))]
          return { status: 'added-folder', models: models.slice(2) }
        }
        if (!replaceSha256) {
          return { status: 'needs-confirm', onnxPath, registered: fold0, sha256: 'c'.repeat(64), version: '2.0.0', message: 'An added model already uses the id "mine-fold0"' }
        }
        const v2 = added('mine-fold0', 'c'.repeat(64), '2.0.0')
        models = models.map((m) => (m.id === 'mine-fold0' ? v2 : m))
        return { status: 'added', model: v2 }
      },
      'command:models.remove': ({ modelId }: { modelId: string }) => {
        models = models.filter((m) => m.id !== modelId)
        return { removed: true }
      },
    })
    installFake(fake.transport)
    const wrapper = mount(InspectView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    await wrapper.get('[data-testid=manage-models]').trigger('click')

    const row = wrapper.get('[data-testid=model-row-ststnet-demo]')
    expect(row.text()).toContain('bundled with the studio')
    expect(row.text()).toContain(`${bundledCard.file.sha256.slice(0, 12)}…`)
    expect(row.find('[data-testid=remove-model-ststnet-demo]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=model-row-broken]').text()).toContain('refused (model/mismatch): sha256 of broken.onnx is aa, the card says bb')

    await wrapper.get('[data-testid=show-model-ststnet-demo]').trigger('click')
    const details = wrapper.get('[data-testid=model-details]')
    expect(details.get('[data-testid=model-sha256]').text()).toBe(bundledCard.file.sha256)
    expect(details.text()).toContain('negative, positive, surprise (output order)')
    expect(details.text()).toContain('ststnet-demo.reference.json')

    // A folder of models, as the CLI's --model FOLDER takes it.
    await wrapper.get('[data-testid=onnx-path]').setValue('/kit/folds')
    await wrapper.get('form.add').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[data-testid=models-notice]').text()).toBe('Added mine-fold0, mine-fold1')
    expect(wrapper.get('[data-testid=model-row-mine-fold0]').text()).toContain('added ')
    await wrapper.get('[data-testid=show-model-mine-fold0]').trigger('click')
    expect(wrapper.get('[data-testid=model-details]').text()).toContain('subjects: casme2/01, casme2/02')

    // Another file under an added id: nothing replaced until the user confirms.
    await wrapper.get('[data-testid=onnx-path]').setValue('/elsewhere/mine-fold0.onnx')
    await wrapper.get('form.add').trigger('submit')
    await flushPromises()
    const confirm = wrapper.get('[data-testid=model-version-confirm]')
    expect(confirm.text()).toContain('a'.repeat(64))
    expect(confirm.text()).toContain('c'.repeat(64))
    expect(fake.calls.filter((c) => c.channel === 'command:models.add')).toHaveLength(2)
    await confirm.get('[data-testid=confirm-version]').trigger('click')
    await flushPromises()
    expect(fake.calls.at(-2)).toEqual({ channel: 'command:models.add', input: { onnxPath: '/elsewhere/mine-fold0.onnx', replaceSha256: 'a'.repeat(64) } })
    expect(wrapper.find('[data-testid=model-version-confirm]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=model-row-mine-fold0]').text()).toContain('2.0.0')

    // Remove asks first, then removes.
    await wrapper.get('[data-testid=remove-model-mine-fold1]').trigger('click')
    expect(fake.calls.some((c) => c.channel === 'command:models.remove')).toBe(false)
    await wrapper.get('[data-testid=confirm-remove-mine-fold1]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid=model-row-mine-fold1]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=models-notice]').text()).toBe('Removed mine-fold1')
  })
})
