import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import { nextTick } from 'vue'
import DatasetBrowser from '../../src/renderer/src/components/DatasetBrowser.vue'
import VirtualList from '../../src/renderer/src/components/VirtualList.vue'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'

const N = 5000
const dataset = { id: 1, name: 'big', root: '/d', format: 'casme2', fps: 200, labelsPath: null, importedAt: 't', problems: [], sampleCount: N, subjectCount: 100 }
const coder = { id: 3, name: 'Ana', initials: '', role: 'coder', createdAt: 't' }
const info = { path: '/p/big.mestudio', name: 'big', schemaVersion: 2, blindMode: false, backupPath: null, datasets: [dataset], annotators: [coder] }
const summary = (i: number) => ({
  id: i + 1, datasetId: 1, subject: `s${String(Math.floor(i / 50)).padStart(3, '0')}`, name: `EP${String(i).padStart(4, '0')}`,
  clipKind: 'frames', fps: 200, frameCount: 10, firstFrame: 1, lastFrame: 10, status: i % 2 ? 'coded' : 'uncoded', coders: i % 2, mine: null, datasetLabel: null,
})
const record = (id: number) => ({
  id, datasetId: 1, subject: 's000', name: `EP${id}`, firstFrame: 1, lastFrame: 10, folderLabel: null,
  clip: { kind: 'frames', path: '/d/x', fps: 200, frameCount: 10, width: 4, height: 4, frameNumbers: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
})
const counts = { uncoded: N / 2, coded: N / 2, disputed: 0, adjudicated: 0 }

/** A back end with 5,000 samples that answers windows as the real one does (a slice, the total, facets on request). */
function setup() {
  const all = Array.from({ length: N }, (_, i) => summary(i))
  const listed = (filter: { status?: string }) => (filter.status ? all.filter((r) => r.status === filter.status) : all)
  const fake = fakeTransport({
    'query:project.current': () => info,
    'query:samples.window': ({ filter, offset, limit, facets, sampleId }: { filter: { status?: string }; offset: number; limit: number; facets?: boolean; sampleId?: number }) => {
      const rows = listed(filter)
      const at = rows.findIndex((r) => r.id === sampleId)
      return { total: rows.length, offset, rows: rows.slice(offset, offset + limit), facets: facets ? { counts, subjects: ['s000'] } : null, current: at >= 0 ? { row: rows[at], index: at } : null }
    },
    'query:samples.neighbour': ({ fromSampleId, direction }: { fromSampleId: number | null; direction: 'next' | 'previous' }) => {
      const i = (((fromSampleId ?? 1) - 1 + (direction === 'next' ? 1 : -1)) % N + N) % N
      return { sampleId: i + 1, at: { row: all[i], index: i } }
    },
    'query:sample.get': ({ sampleId }: { sampleId: number }) => record(sampleId),
  })
  installFake(fake.transport)
  return { store: useProjectStore(), calls: fake.calls, emit: fake.emit, all }
}

const windowCalls = (calls: { channel: string; input: unknown }[]) => calls.filter((c) => c.channel === 'query:samples.window')

describe('virtualised sample list', () => {
  beforeEach(() => localStorage.clear())

  it('renders a window of rows over 5,000 samples and loads only the pages it shows', async () => {
    const { store, calls } = setup()
    await store.refreshProject()
    const wrapper = mount(DatasetBrowser, { attachTo: document.body })
    await flushPromises()
    expect(store.total).toBe(N)
    const rows = wrapper.findAll('li[role=option]')
    expect(rows.length).toBeGreaterThan(10)
    expect(rows.length).toBeLessThan(60) // a window, not 5,000 rows
    expect(rows[0]!.attributes('data-testid')).toBe('sample-s000-EP0000')
    // The status is a letter and words as well as a colour (#27 item 6).
    expect(rows[1]!.get('.dot').text()).toBe('C')
    expect(rows[1]!.get('.sr-only').text()).toBe(', coded')
    expect(rows[0]!.get('.sr-only').text()).toBe(', uncoded')
    expect(wrapper.find('[data-testid=sample-list] ul').attributes('style')).toContain(`height: ${N * 22}px`)
    expect(wrapper.text()).toContain(`${N / 2} uncoded`)
    // the first page came with the refresh: nothing else fetched
    expect(windowCalls(calls).map((c) => (c.input as { offset: number }).offset)).toEqual([0])

    // scrolling far down asks for that page only, and shows its rows
    const viewport = wrapper.find('[data-testid=sample-list]').element as HTMLElement
    viewport.scrollTop = 3000 * 22
    await wrapper.find('[data-testid=sample-list]').trigger('scroll')
    await flushPromises()
    expect(windowCalls(calls).map((c) => (c.input as { offset: number }).offset)).toEqual([0, 2900, 3000])
    expect(wrapper.find('[data-testid=sample-s060-EP3000]').exists()).toBe(true)
    expect(wrapper.findAll('li[role=option]').length).toBeLessThan(60)
    wrapper.unmount()
  })

  it('updates one row in place from an edit event, without refetching the list', async () => {
    const { store, calls, emit, all } = setup()
    await store.refreshProject()
    await store.openSample(4)
    const before = windowCalls(calls).length
    const edited = { ...all[3]!, status: 'disputed', coders: 2 }
    emit('event:samples.updated', { viewerId: coder.id, row: edited, counts: { ...counts, coded: counts.coded - 1, disputed: 1 } })
    await new Promise((r) => setTimeout(r, 200))
    expect(windowCalls(calls).length).toBe(before)
    expect(store.rows[3]).toEqual(edited)
    expect(store.currentSummary).toEqual(edited)
    expect(store.statusCounts.disputed).toBe(1)
    // another coder's edit (their statuses are not ours) or a filter on statuses: the list reloads instead
    emit('event:samples.updated', { viewerId: 99, row: edited, counts })
    await new Promise((r) => setTimeout(r, 200))
    expect(windowCalls(calls).length).toBe(before + 1)
  })

  it('keeps the open sample in view when J/K jumps across pages', async () => {
    const { store } = setup()
    await store.refreshProject()
    const wrapper = mount(DatasetBrowser, { attachTo: document.body })
    await flushPromises()
    await store.openNeighbour('previous') // wraps from the first to the last sample
    await flushPromises()
    await nextTick()
    await flushPromises()
    expect(store.currentIndex).toBe(N - 1)
    const selected = wrapper.find('li[aria-selected=true]')
    expect(selected.exists()).toBe(true)
    expect(selected.attributes('data-testid')).toBe(`sample-s099-EP${N - 1}`)
    wrapper.unmount()
  })

  it('is one Tab stop: arrows and End move focus along the rows, loading them, and Enter opens one', async () => {
    const { store } = setup()
    await store.refreshProject()
    const wrapper = mount(DatasetBrowser, { attachTo: document.body })
    await flushPromises()
    const stops = () => wrapper.findAll('li[role=option]').filter((r) => r.attributes('tabindex') === '0')
    expect(stops().map((r) => r.attributes('data-index'))).toEqual(['0'])
    ;(stops()[0]!.element as HTMLElement).focus()
    await stops()[0]!.trigger('keydown', { key: 'ArrowDown' })
    await flushPromises()
    expect((document.activeElement as HTMLElement).dataset.index).toBe('1')
    await wrapper.get('li[data-index="1"]').trigger('keydown', { key: 'End' })
    await flushPromises()
    await new Promise((r) => setTimeout(r, 50))
    await flushPromises()
    expect((document.activeElement as HTMLElement).dataset.index).toBe(String(N - 1))
    expect(stops().map((r) => r.attributes('data-index'))).toEqual([String(N - 1)])
    await wrapper.get(`li[data-index="${N - 1}"]`).trigger('keydown', { key: 'Enter' })
    expect(wrapper.emitted('open')?.[0]?.[1]).toMatchObject({ index: N - 1 })
    wrapper.unmount()
  })

  it('windows any list: 2,000 items render a few dozen rows', () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ id: i }))
    const wrapper = mount(VirtualList, {
      props: { items, rowHeight: 24 },
      slots: { default: `<template #default="{ item, style }"><li :style="style" class="row">{{ item.id }}</li></template>` },
    })
    const rendered = wrapper.findAll('li.row')
    expect(rendered.length).toBeGreaterThan(10)
    expect(rendered.length).toBeLessThan(50)
    expect(rendered[1]!.attributes('style')).toContain('top: 24px')
  })
})
