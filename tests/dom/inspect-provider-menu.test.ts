import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import InspectView from '../../src/renderer/src/views/InspectView.vue'
import { fakeTransport, installFake } from './helpers/fake-transport'
import card from '../../resources/models/ms3d_resnet-demo.card.json'

describe('Inspect provider menu', () => {
  it("labels each provider with its parity verdict for the chosen model, the detail in the tooltip", async () => {
    const fake = fakeTransport({
      'query:models.list': () => ({
        models: [{ id: 'ms3d_resnet-demo', source: 'bundled', card, recipeId: 'r', problem: null }],
        providers: { order: ['cuda', 'tensorrt', 'webgpu', 'cpu'], unavailable: [] },
      }),
      'query:models.providers': ({ modelId }: { modelId: string }) => ({
        standings: modelId === 'ms3d_resnet-demo'
          ? [
              { provider: 'cuda', status: 'unavailable', detail: 'libonnxruntime_providers_cuda.so is not installed', automatic: false },
              { provider: 'tensorrt', status: 'unchecked', detail: 'checked against CPU the first time the model runs on it', automatic: false },
              { provider: 'webgpu', status: 'pinned', detail: 'pinned to CPU: kernel error: Only Conv2d or Conv1d are supported.', automatic: false },
              { provider: 'cpu', status: 'reference', detail: 'the reference', automatic: true },
            ]
          : [],
      }),
    })
    installFake(fake.transport)
    const wrapper = mount(InspectView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    const options = wrapper.get('[data-testid=provider]').findAll('option')
    expect(options.map((o) => o.text())).toEqual([
      'auto (cuda → tensorrt → webgpu → cpu)',
      'cuda — unavailable',
      'tensorrt — checked against CPU on first run',
      'webgpu — pinned to CPU for this model',
      'cpu — reference',
    ])
    expect(options[3]!.attributes('title')).toContain('Only Conv2d or Conv1d')
  })
})
