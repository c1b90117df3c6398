import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import type { SampleRecord } from '../../src/shared/domain/project'
import type { SpotSummary } from '../../src/shared/ipc'
import MotionCurve from '../../src/renderer/src/components/MotionCurve.vue'
import { useAnnotationStore } from '../../src/renderer/src/stores/annotation'
import { useMotionStore } from '../../src/renderer/src/stores/motion'
import { usePlayerStore } from '../../src/renderer/src/stores/player'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'

const FRAME_NUMBERS = Array.from({ length: 100 }, (_, i) => 231 + i)
const SAMPLE: SampleRecord = {
  id: 7, datasetId: 1, subject: 'sub01', name: 'EP01_01', firstFrame: 231, lastFrame: 330, folderLabel: null,
  clip: { kind: 'frames', path: '/data/sub01/EP01_01', fps: 200, frameCount: 100, width: 64, height: 64, frameNumbers: FRAME_NUMBERS },
}

describe('MotionCurve', () => {
  it('says what it shows in words and labels its lines with letters, not colour alone', async () => {
    installFake(fakeTransport({}).transport)
    useProjectStore().currentSample = SAMPLE
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 7, fps: 200, width: 64, height: 64, frameNumbers: FRAME_NUMBERS, frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    const annotation = useAnnotationStore()
    annotation.fields = { ...annotation.fields, onset: 241, apex: 261, offset: null }
    useMotionStore().spot = {
      spotId: 's1', clipPath: SAMPLE.clip.path, start: 0, count: 100, signal: 'farneback', onset: 5, apex: 32, offset: 70, onsetSuggested: true, offsetSuggested: true,
      confidence: 0.8, curve: FRAME_NUMBERS.map((_, i) => Math.sin(i / 20)), peaks: [], faceFound: true, faceScore: 0.9, side: 128, faceFrame: 0,
    } satisfies SpotSummary
    const wrapper = mount(MotionCurve, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    expect(wrapper.get('[data-testid=curve-description]').text()).toBe('Motion curve over 100 frames, suggested apex 263, coded onset 241, apex 261')
    expect(wrapper.get('[data-testid=curve-letter-onset]').text()).toBe('O')
    expect(wrapper.get('[data-testid=curve-letter-apex]').text()).toBe('A')
    expect(wrapper.find('[data-testid=curve-letter-offset]').exists()).toBe(false)
    expect(wrapper.get('.curve-letter.suggested').text()).toBe('?')

    // From the keyboard it is a slider over the frames whose value says the frame and the motion there.
    const plot = wrapper.get('[data-testid=curve-plot]')
    expect(plot.attributes('role')).toBe('slider')
    expect(plot.attributes('tabindex')).toBe('0')
    expect(plot.attributes('aria-describedby')).toBe('motion-curve-description')
    player.seek(30)
    await plot.trigger('keydown', { key: 'ArrowRight' })
    expect(player.index).toBe(31)
    await plot.trigger('keydown', { key: 'ArrowRight' })
    expect(plot.attributes('aria-valuetext')).toBe(`frame 263, motion ${(Math.sin(32 / 20) / Math.max(...FRAME_NUMBERS.map((_, i) => Math.sin(i / 20)))).toFixed(2)} of the peak, suggested apex`)
    await plot.trigger('keydown', { key: 'ArrowLeft', shiftKey: true })
    expect(player.index).toBe(22)
    await plot.trigger('keydown', { key: 'End' })
    expect(player.index).toBe(99)
    expect(wrapper.find('[data-testid=spot-no-face]').exists()).toBe(false)
  })

  it('says on which frame no face was found, and shows that frame when asked', async () => {
    installFake(fakeTransport({}).transport)
    useProjectStore().currentSample = SAMPLE
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 7, fps: 200, width: 64, height: 64, frameNumbers: FRAME_NUMBERS, frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    useMotionStore().spot = {
      spotId: 's2', clipPath: SAMPLE.clip.path, start: 0, count: 100, signal: 'farneback', onset: 5, apex: 32, offset: 70, onsetSuggested: true, offsetSuggested: true,
      confidence: 0.4, curve: FRAME_NUMBERS.map((_, i) => Math.sin(i / 20)), peaks: [], faceFound: false, faceScore: null, side: null, faceFrame: 10,
    } satisfies SpotSummary
    const wrapper = mount(MotionCurve, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    const warning = wrapper.get('[data-testid=spot-no-face]')
    expect(warning.text()).toBe('no face found on frame 241: whole frame measured, no head-motion reference')
    await warning.trigger('click')
    expect(player.index).toBe(10)
  })
})
