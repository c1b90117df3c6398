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
  it('shows the ffmpeg found and the bundled execution providers', async () => {
    const info = {
      ffmpeg: { found: true, path: '/usr/bin/ffmpeg', source: 'path', version: '5.1.6' },
      onnxruntime: { version: '1.30.0', providers: [{ name: 'cuda', bundled: false, preferred: true }, { name: 'cpu', bundled: true, preferred: true }] },
    }
    const wrapper = mount(StatusBar, { global: { plugins: [createPinia()], provide: { [TRANSPORT_KEY as symbol]: fakeTransport(info) } } })
    await flushPromises()
    expect(wrapper.get('[data-testid=status-ffmpeg]').text()).toBe('ffmpeg 5.1.6 (path)')
    expect(wrapper.get('[data-testid=status-ort]').text()).toContain('providers: cpu')
    expect(wrapper.get('[data-testid=status-ort]').text()).not.toContain('cuda')
  })

  it('says plainly when ffmpeg is missing', async () => {
    const info = { ffmpeg: { found: false, tried: [], message: 'ffmpeg was not found' }, onnxruntime: { version: '1.30.0', providers: [] } }
    const wrapper = mount(StatusBar, { global: { plugins: [createPinia()], provide: { [TRANSPORT_KEY as symbol]: fakeTransport(info) } } })
    await flushPromises()
    expect(wrapper.get('[data-testid=status-ffmpeg]').text()).toBe('ffmpeg not found')
    expect(wrapper.get('[data-testid=status-ffmpeg]').classes()).toContain('status-error')
  })
})
