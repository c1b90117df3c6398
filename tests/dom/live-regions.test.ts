import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import ColorBar from '../../src/renderer/src/components/ColorBar.vue'
import AuPicker from '../../src/renderer/src/components/AuPicker.vue'
import FramePlayer from '../../src/renderer/src/components/FramePlayer.vue'
import JobAnnouncer from '../../src/renderer/src/components/JobAnnouncer.vue'
import { useJobsStore } from '../../src/renderer/src/stores/jobs'
import { usePlayerStore } from '../../src/renderer/src/stores/player'
import { fakeTransport, installFake } from './helpers/fake-transport'

describe('announced, named and readable (#27 item 7)', () => {
  it('one polite status region says when a job starts and how it ended', async () => {
    const fake = fakeTransport({})
    installFake(fake.transport)
    const wrapper = mount(JobAnnouncer, { global: { plugins: [getActivePinia()!] } })
    const region = wrapper.get('[data-testid=job-announcer]')
    expect(region.attributes('role')).toBe('status')
    expect(region.attributes('aria-live')).toBe('polite')
    expect(region.text()).toBe('')
    const jobs = useJobsStore()
    const running = jobs.run('Magnifying 31 frames ×20', 'motion.magnify', async () => ({ jobId: 'j1' }))
    await flushPromises()
    expect(region.text()).toBe('Magnifying 31 frames ×20…')
    const magnified = { magnifyId: 'm1', clipPath: '/data/clip', start: 0, count: 31, width: 64, height: 64, method: 'eulerian', alpha: 20 }
    fake.emit('event:job.done', { jobId: 'j1', kind: 'motion.magnify', state: 'completed', done: 31, total: 31, itemErrors: 0, result: magnified })
    await running
    await flushPromises()
    expect(region.text()).toBe('Magnifying 31 frames ×20: done')
    const importing = jobs.run('Importing /data/casme2', 'dataset.import', async () => ({ jobId: 'j2' }))
    await flushPromises()
    expect(region.text()).toBe('Importing /data/casme2…')
    const summary = { format: 'casme2', samples: 9, clips: 9, subjects: 2, labelRows: 9, matchedRows: 9, emotions: {}, megcClasses: {}, errors: 2, warnings: 0 }
    const imported = { datasetId: 1, name: 'CASME II', root: '/data/casme2', summary, labelled: 7, labelsAnnotatorId: null, problems: [] }
    fake.emit('event:job.done', { jobId: 'j2', kind: 'dataset.import', state: 'completed', done: 9, total: 9, itemErrors: 2, result: imported })
    await importing
    await flushPromises()
    expect(region.text()).toBe('Importing /data/casme2: done (2 items failed)')
  })

  it('colour bars name their scale with rounded values, as they print them', () => {
    const wrapper = mount(ColorBar, { props: { min: 0.10377069303925611, max: 1.2345678, unit: 'px/frame', colormap: 'viridis' } })
    expect(wrapper.get('[role=img]').attributes('aria-label')).toBe('Colour scale (viridis) from 0.104 to 1.23 px/frame')
    expect(wrapper.findAll('.colorbar-ticks span').map((s) => s.text())).toEqual(['0.104', '0.669', '1.23 px/frame'])
    // A small scale keeps its digits: a strain of 0.00412 does not print "0.00".
    const strain = mount(ColorBar, { props: { min: 0, max: 0.0041234, unit: '', colormap: 'inferno' } })
    expect(strain.get('[role=img]').attributes('aria-label')).toBe('Colour scale (inferno) from 0 to 0.00412')
  })

  it('the frame canvas says which frame it shows, its marks and the view mode', async () => {
    installFake(fakeTransport({}).transport)
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 1, fps: 200, width: 4, height: 4, frameNumbers: Array.from({ length: 81 }, (_, i) => 231 + i), frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    const wrapper = mount(FramePlayer, { props: { marks: { onset: 241, apex: 261, offset: null } }, global: { plugins: [getActivePinia()!] } })
    player.seek(10)
    await flushPromises()
    const canvas = wrapper.get('[data-testid=frame-canvas]')
    expect(canvas.attributes('role')).toBe('img')
    expect(canvas.attributes('aria-label')).toBe('Video frame 241 (onset) of 81, 50.0 ms')
    player.viewMode = 'difference'
    await flushPromises()
    expect(canvas.attributes('aria-label')).toMatch(/^Absolute difference between frame 241 \(onset\) and the .+, amplified ×\d+$/)
  })

  it('AU and emotion errors are tied to their fields', async () => {
    const wrapper = mount(AuPicker, { props: { modelValue: { alternatives: [[]] } } })
    const field = wrapper.get('[data-testid=au-text]')
    expect(field.attributes('aria-invalid')).toBe('false')
    await field.setValue('1+zz')
    await field.trigger('blur')
    expect(field.attributes('aria-invalid')).toBe('true')
    const problems = wrapper.get('[data-testid=au-problems]')
    expect(field.attributes('aria-describedby')).toBe(problems.attributes('id'))
  })
})
