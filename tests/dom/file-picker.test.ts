import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import { StudioError, type FolderListing } from '@shared/ipc'
import PathField from '../../src/renderer/src/components/PathField.vue'
import { fakeTransport, installFake } from './helpers/fake-transport'

/** A home folder with a dataset and a sheet, as `query:files.list` lists it. */
const TREE: Record<string, FolderListing['entries']> = {
  '/home/coder': [
    { name: 'CASME2', path: '/home/coder/CASME2', kind: 'folder', size: null },
    { name: 'SAMM', path: '/home/coder/SAMM', kind: 'folder', size: null },
    { name: 'codes.csv', path: '/home/coder/codes.csv', kind: 'file', size: 120 },
  ],
  '/home/coder/CASME2': [{ name: 'sub01', path: '/home/coder/CASME2/sub01', kind: 'folder', size: null }],
  '/home/coder/SAMM': [],
}
const roots = [{ path: '/home/coder', label: 'coder' }]

function filesList(input: { path?: string }): FolderListing {
  if (input.path === undefined) return { path: null, parent: null, roots, entries: [], truncated: false }
  const entries = TREE[input.path]
  if (!entries) throw new StudioError('forbidden-path', `Outside the folders the picker shows: ${input.path}`)
  return { path: input.path, parent: input.path === '/home/coder' ? null : '/home/coder', roots, entries, truncated: false }
}

async function key(target: { trigger: (event: string, options: object) => Promise<void> }, name: string, options: object = {}) {
  await target.trigger('keydown', { key: name, ...options })
  await flushPromises()
}

describe('file picker', () => {
  afterEach(() => {
    document.body.innerHTML = ''
    localStorage.clear()
  })

  it('picks a folder by keyboard: arrows, Enter opens, Backspace goes up, typing filters, Ctrl+Enter chooses', async () => {
    const fake = fakeTransport({ 'query:files.list': filesList })
    installFake(fake.transport)
    const wrapper = mount(PathField, { props: { modelValue: '', mode: 'folder', title: 'Dataset folder', testid: 'dataset-path' }, attachTo: document.body, global: { plugins: [getActivePinia()!] } })
    await wrapper.get('[data-testid=dataset-path-browse]').trigger('click')
    await flushPromises()
    const picker = () => document.querySelector('[data-testid=file-picker]')
    const filter = { trigger: async (type: string, options: object) => void document.querySelector<HTMLInputElement>('[data-testid=picker-filter]')!.dispatchEvent(new KeyboardEvent(type, { ...options, bubbles: true, cancelable: true })) }
    const selected = () => document.querySelector('[aria-selected=true]')?.textContent?.trim()
    const where = () => document.querySelector('[data-testid=picker-path]')!.textContent

    // No recent place yet: the roots, focus in the filter.
    expect(where()).toBe('Places')
    expect(document.activeElement).toBe(document.querySelector('[data-testid=picker-filter]'))
    await key(filter, 'Enter')
    expect(where()).toBe('/home/coder')
    expect(selected()).toBe('CASME2/')
    await key(filter, 'ArrowDown')
    expect(selected()).toBe('SAMM/')
    await key(filter, 'Enter')
    expect(where()).toBe('/home/coder/SAMM')
    expect(document.querySelector('#picker-list')!.textContent).toContain('Empty folder')
    await key(filter, 'Backspace')
    expect(where()).toBe('/home/coder')

    const input = document.querySelector<HTMLInputElement>('[data-testid=picker-filter]')!
    input.value = 'cas'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    expect([...document.querySelectorAll('[role=option]')].map((o) => o.textContent?.trim())).toEqual(['CASME2/'])
    await key(filter, 'Enter')
    expect(where()).toBe('/home/coder/CASME2')
    await key(filter, 'Enter', { ctrlKey: true })
    expect(picker()).toBeNull()
    expect(wrapper.emitted('update:modelValue')).toEqual([['/home/coder/CASME2']])
    expect(JSON.parse(localStorage.getItem('me-studio.recent-places')!)).toEqual(['/home/coder/CASME2'])
    wrapper.unmount()
  })

  it('keeps what is typed while a folder loads, and an Enter pressed meanwhile opens what it then matches', async () => {
    // Every listing waits until the test lets it through: the keys arrive before it, as a fast typist's do.
    const waiting: (() => void)[] = []
    const release = async () => {
      waiting.shift()!()
      await flushPromises()
    }
    const fake = fakeTransport({ 'query:files.list': (input: { path?: string }) => new Promise<FolderListing>((resolve) => waiting.push(() => resolve(filesList(input)))) })
    installFake(fake.transport)
    const wrapper = mount(PathField, { props: { modelValue: '', mode: 'folder', title: 'Dataset folder', testid: 'dataset-path' }, attachTo: document.body, global: { plugins: [getActivePinia()!] } })
    await wrapper.get('[data-testid=dataset-path-browse]').trigger('click')
    await flushPromises()
    const input = document.querySelector<HTMLInputElement>('[data-testid=picker-filter]')!
    const filter = { trigger: async (type: string, options: object) => void input.dispatchEvent(new KeyboardEvent(type, { ...options, bubbles: true, cancelable: true })) }
    const type = async (text: string) => {
      input.value = text
      input.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    const where = () => document.querySelector('[data-testid=picker-path]')!.textContent

    // Places are still loading: the filter and Enter wait for them.
    await type('coder')
    await key(filter, 'Enter')
    expect(where()).toBe('Places')
    await release()
    // The Enter opened /home/coder, which is loading now; the filter is for it.
    expect(input.value).toBe('')
    await type('sa')
    await key(filter, 'Enter')
    await release()
    expect(where()).toBe('/home/coder')
    await release()
    // SAMM, not CASME2 (the first entry, which a filter cleared on arrival left highlighted).
    expect(where()).toBe('/home/coder/SAMM')
    wrapper.unmount()
  })

  it('says why a folder cannot be listed, and Esc cancels without a pick', async () => {
    const fake = fakeTransport({ 'query:files.list': filesList })
    installFake(fake.transport)
    const wrapper = mount(PathField, { props: { modelValue: '/etc', mode: 'file', title: 'Labels file', extensions: ['.csv'] }, attachTo: document.body, global: { plugins: [getActivePinia()!] } })
    await wrapper.get('[data-testid=path-browse]').trigger('click')
    await flushPromises()
    expect(document.querySelector('[data-testid=picker-error]')!.textContent).toContain('Outside the folders the picker shows: /')
    expect(fake.calls.map((c) => c.input)).toEqual([{ path: '/', extensions: ['.csv'], hidden: false }, { extensions: ['.csv'], hidden: false }])
    document.querySelector<HTMLInputElement>('[data-testid=picker-filter]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }))
    await flushPromises()
    expect(document.querySelector('[data-testid=file-picker]')).toBeNull()
    expect(wrapper.emitted('update:modelValue')).toBeUndefined()
    wrapper.unmount()
  })
})
