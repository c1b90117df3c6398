import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import BatchView from '../../src/renderer/src/views/BatchView.vue'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'
import card from '../../resources/models/ststnet-demo.card.json'
import offTanetCard from '../../resources/models/off_tanet-demo.card.json'

// The bundled card itself (above): the fake transport checks answers against the contract's schemas.
const job = { jobId: 'job-1', state: 'running', total: 40, done: 10, failed: 1, models: ['ststnet-demo'], scope: 'all', createdAt: '2026-01-02T03:04:05.000Z', active: true }

describe('BatchView', () => {
  it('starts a batch with the chosen models and selection, and shows live progress with ETA and throughput', async () => {
    const fake = fakeTransport({
      'query:models.list': () => ({ models: [{ id: 'ststnet-demo', source: 'bundled', card, recipeId: 'r', problem: null }], providers: { order: ['cpu'], unavailable: [] } }),
      'query:batch.jobs': () => [job],
      'command:batch.start': () => ({ jobId: 'job-1', total: 40 }),
      'query:batch.errors': () => [{ sampleId: 3, dataset: 'CASME II', subject: 'sub01', sample: 'EP02_01', modelId: 'ststnet-demo', error: { code: 'media/missing-frames', message: 'frame 46 is missing' } }],
      'query:batch.evaluation': () => ({ method: 'pooled', units: [] }),
      'command:batch.pause': () => ({ paused: true }),
    })
    installFake(fake.transport)
    const project = useProjectStore()
    project.project = { path: '/p.meproj', name: 'p' } as never
    project.datasets = [{ id: 1, name: 'CASME II' }] as never
    project.annotatorId = 7
    const wrapper = mount(BatchView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()

    await wrapper.get('[data-testid=batch-model-ststnet-demo]').setValue(true)
    await wrapper.get('[data-testid=batch-dataset]').setValue('CASME II')
    await wrapper.get('[data-testid=batch-coded]').setValue('coded')
    // The same choice as Inspect's "Frames from", for the current coder.
    expect(wrapper.get('[data-testid=batch-frames-from]').text()).toContain('adjudicated coding, else your coding, else dataset labels')
    await wrapper.get('[data-testid=batch-frames-from]').setValue('mine')
    await wrapper.get('[data-testid=batch-start]').trigger('click')
    await flushPromises()
    expect(fake.calls.find((c) => c.channel === 'command:batch.start')!.input).toEqual({
      models: ['ststnet-demo'],
      selection: { coded: 'coded', dataset: 'CASME II', reference: { prefer: 'mine', annotatorId: 7 } },
      summaries: false,
      provider: null,
      shard: null,
    })

    fake.emit('event:batch.progress', { jobId: 'job-1', state: 'running', done: 20, total: 40, failed: 1, etaMs: 65_000, throughput: 2.5 })
    await flushPromises()
    const row = wrapper.get('[data-testid=batch-job-job-1]')
    expect(row.text()).toContain('20/40 · 1 failed')
    expect(wrapper.get('[data-testid=batch-rate]').text()).toBe('2.50/s · ETA 1 min 5 s')
    expect(wrapper.get('[data-testid=batch-errors]').text()).toContain('frame 46 is missing [media/missing-frames]')

    await row.get('.actions button').trigger('click')
    await flushPromises()
    expect(fake.calls.some((c) => c.channel === 'command:batch.pause')).toBe(true)
  })

  it("shows each chosen model's provider verdicts and runs on the provider chosen in the form", async () => {
    const pinned = 'pinned to CPU: output "logits" differs from CPU by 0.125 (tolerance 1.13e-3, scale 1.13)'
    const fake = fakeTransport({
      'query:models.list': () => ({ models: [{ id: 'off_tanet-demo', source: 'bundled', card: offTanetCard, recipeId: 'r', problem: null }], providers: { order: ['cuda', 'webgpu', 'cpu'], unavailable: [] } }),
      'query:models.providers': () => ({
        standings: [
          { provider: 'cuda', status: 'unavailable', detail: 'libonnxruntime_providers_cuda.so is not installed', automatic: false },
          { provider: 'webgpu', status: 'pinned', detail: pinned, automatic: false },
          { provider: 'cpu', status: 'reference', detail: 'the reference', automatic: true },
        ],
      }),
      'query:batch.jobs': () => [],
      'command:batch.start': () => ({ jobId: 'job-2', total: 4 }),
    })
    installFake(fake.transport)
    useProjectStore().project = { path: '/p.meproj', name: 'p' } as never
    const wrapper = mount(BatchView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    expect(wrapper.find('[data-testid=batch-verdicts-off_tanet-demo]').exists()).toBe(false)
    await wrapper.get('[data-testid=batch-model-off_tanet-demo]').setValue(true)
    await flushPromises()
    const verdicts = wrapper.get('[data-testid=batch-verdicts-off_tanet-demo]')
    expect(verdicts.findAll('span').map((s) => s.text())).toEqual(['cuda: unavailable', 'webgpu: pinned to CPU for this model'])
    expect(verdicts.get('.verdict-pinned').attributes('title')).toBe(pinned)
    await wrapper.get('[data-testid=batch-provider]').setValue('webgpu')
    await wrapper.get('[data-testid=batch-start]').trigger('click')
    await flushPromises()
    expect(fake.calls.find((c) => c.channel === 'command:batch.start')!.input).toMatchObject({ models: ['off_tanet-demo'], provider: 'webgpu' })
  })
})
