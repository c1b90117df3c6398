import { mount, flushPromises } from '@vue/test-utils'
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import StatusBar from '../../src/renderer/src/components/StatusBar.vue'
import { TRANSPORT_KEY, type Transport } from '../../src/renderer/src/transport'

function fakeTransport(info: unknown): Transport {
  return {
    kind: 'bridge',
    invoke: async () => info as never,
    on: () => () => undefined,
    mediaUrl: (r) => `/media/${r}`,
    onReconnect: () => () => undefined,
  }
}

describe('StatusBar', () => {
  it('shows the ffmpeg found and the execution providers a prediction really ran on', async () => {
    const info = {
      ffmpeg: { found: true, path: '/usr/bin/ffmpeg', source: 'path', version: '5.1.6' },
      onnxruntime: {
        version: '1.30.0',
        providers: [{ name: 'cuda', bundled: false, preferred: true }, { name: 'webgpu', bundled: true, preferred: true }, { name: 'cpu', bundled: true, preferred: true }],
        ran: ['cpu'],
      },
    }
    const wrapper = mount(StatusBar, { global: { plugins: [createPinia()], provide: { [TRANSPORT_KEY as symbol]: fakeTransport(info) } } })
    await flushPromises()
    expect(wrapper.get('[data-testid=status-ffmpeg]').text()).toBe('ffmpeg 5.1.6 (path)')
    const ort = wrapper.get('[data-testid=status-ort]')
    expect(ort.text()).toContain('providers: cpu')
    // webgpu is bundled but no session has run on it: not listed, only named in the tooltip.
    expect(ort.text()).not.toContain('webgpu')
    expect(ort.attributes('title')).toContain('bundled: webgpu, cpu')
  })

  it('lists no provider before any prediction ran', async () => {
    const info = { ffmpeg: { found: true, path: '/usr/bin/ffmpeg', source: 'path', version: '5.1.6' }, onnxruntime: { version: '1.30.0', providers: [{ name: 'cpu', bundled: true, preferred: true }], ran: [] } }
    const wrapper = mount(StatusBar, { global: { plugins: [createPinia()], provide: { [TRANSPORT_KEY as symbol]: fakeTransport(info) } } })
    await flushPromises()
    expect(wrapper.get('[data-testid=status-ort]').text()).toContain('providers: none ran yet')
  })

  it('says plainly when ffmpeg is missing', async () => {
    const info = { ffmpeg: { found: false, tried: [], message: 'ffmpeg was not found' }, onnxruntime: { version: '1.30.0', providers: [], ran: [] } }
    const wrapper = mount(StatusBar, { global: { plugins: [createPinia()], provide: { [TRANSPORT_KEY as symbol]: fakeTransport(info) } } })
    await flushPromises()
    expect(wrapper.get('[data-testid=status-ffmpeg]').text()).toBe('ffmpeg not found')
    expect(wrapper.get('[data-testid=status-ffmpeg]').classes()).toContain('status-error')
  })
})
