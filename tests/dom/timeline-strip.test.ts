import { mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import TimelineStrip from '../../src/renderer/src/components/TimelineStrip.vue'
import { usePlayerStore } from '../../src/renderer/src/stores/player'
import { fakeTransport, installFake } from './helpers/fake-transport'

describe('TimelineStrip', () => {
  it('labels each mark with the key that sets it: O, A, F', () => {
    installFake(fakeTransport({}).transport)
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 1, fps: 200, width: 4, height: 4, frameNumbers: Array.from({ length: 100 }, (_, i) => 231 + i), frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    const wrapper = mount(TimelineStrip, { props: { marks: { onset: 241, apex: 261, offset: 291 }, selected: null }, global: { plugins: [getActivePinia()!] } })
    expect(['onset', 'apex', 'offset'].map((k) => wrapper.get(`[data-testid=mark-${k}]`).text())).toEqual(['O', 'A', 'F'])
    expect(wrapper.get('[data-testid=mark-offset]').attributes('title')).toBe('offset 291 (drag to move)')
  })

  it("labels another coder's marks with their letters too, not by colour alone", () => {
    installFake(fakeTransport({}).transport)
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 1, fps: 200, width: 4, height: 4, frameNumbers: Array.from({ length: 100 }, (_, i) => 231 + i), frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    const ghostMarks = [{ label: 'ana', marks: { onset: 240, apex: null, offset: 300 } }]
    const wrapper = mount(TimelineStrip, { props: { marks: { onset: 241, apex: 261, offset: 291 }, selected: null, ghostMarks }, global: { plugins: [getActivePinia()!] } })
    expect(wrapper.findAll('.ghost').map((g) => [g.text(), g.attributes('title')])).toEqual([
      ['O', 'ana: onset 240'],
      ['F', 'ana: offset 300'],
    ])
  })

  it('makes each mark a named slider that the arrow keys move by a frame', async () => {
    installFake(fakeTransport({}).transport)
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 1, fps: 200, width: 4, height: 4, frameNumbers: Array.from({ length: 100 }, (_, i) => 231 + i), frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    const wrapper = mount(TimelineStrip, { props: { marks: { onset: 241, apex: 261, offset: 291 }, selected: null }, global: { plugins: [getActivePinia()!] } })
    const apex = wrapper.get('[data-testid=mark-apex]')
    expect([apex.attributes('role'), apex.attributes('tabindex'), apex.attributes('aria-label'), apex.attributes('aria-valuetext')]).toEqual(['slider', '0', 'Apex mark (A)', 'apex at frame 261'])
    await apex.trigger('focus')
    await apex.trigger('keydown', { key: 'ArrowRight' })
    await apex.trigger('keydown', { key: 'ArrowLeft', shiftKey: true })
    await wrapper.get('[data-testid=mark-onset]').trigger('keydown', { key: 'Home' })
    expect(wrapper.emitted('select-mark')).toEqual([['apex']])
    expect(wrapper.emitted('move-mark')).toEqual([['apex', 262], ['apex', 251], ['onset', 231]])
    expect(player.index).toBe(0)
  })
})
