import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import EmptyState from '../../src/renderer/src/components/EmptyState.vue'

function mountEmpty(props: Partial<{ recentPaths: string[]; busy: string | null; error: string | null }> = {}) {
  return mount(EmptyState, { props: { recentPaths: [], busy: null, error: null, job: null, ...props } })
}

describe('EmptyState', () => {
  it('opens a dataset only from an absolute path, and says why otherwise', async () => {
    const wrapper = mountEmpty()
    await wrapper.get('[data-testid=open-dataset]').trigger('click')
    const field = wrapper.get('[data-testid=dataset-path]')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    expect(wrapper.get('[data-testid=dataset-path-error]').text()).toBe('Type the folder of the dataset')
    await field.setValue('data/CASME2')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    expect(wrapper.get('[data-testid=dataset-path-error]').text()).toContain('absolute path')
    await field.setValue('  /data/CASME2 ')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    await field.setValue('C:\\data\\SAMM')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    expect(wrapper.emitted('openDataset')).toEqual([['/data/CASME2', undefined], ['C:\\data\\SAMM', undefined]])
    expect(wrapper.find('[data-testid=dataset-path-error]').exists()).toBe(false)
  })

  it('takes a labels file of its own, as an absolute path', async () => {
    const wrapper = mountEmpty()
    await wrapper.get('[data-testid=open-dataset]').trigger('click')
    await wrapper.get('[data-testid=dataset-path]').setValue('/data/CASME2')
    await wrapper.get('[data-testid=labels-path]').setValue('coding.xlsx')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    expect(wrapper.get('[data-testid=dataset-path-error]').text()).toContain('absolute path for the labels file')
    await wrapper.get('[data-testid=labels-path]').setValue(' /data/CASME2-coding-20140508.xlsx ')
    await wrapper.get('[data-testid=open-dataset-form]').trigger('submit')
    expect(wrapper.emitted('openDataset')).toEqual([['/data/CASME2', '/data/CASME2-coding-20140508.xlsx']])
  })

  it('offers recent folders and the demo, and shows the back end’s error', async () => {
    const wrapper = mountEmpty({ recentPaths: ['/data/SAMM'], error: 'No such folder: /x' })
    await wrapper.get('[data-testid=open-dataset]').trigger('click')
    await wrapper.get('.recent button').trigger('click')
    expect(wrapper.emitted('openDataset')).toEqual([['/data/SAMM', undefined]])
    await wrapper.get('[data-testid=open-demo]').trigger('click')
    expect(wrapper.emitted('openDemo')).toHaveLength(1)
    expect(wrapper.get('[data-testid=open-error]').text()).toBe('No such folder: /x')
    // Only one face photo may be bundled (resources/faces/PROVENANCE.md): the first screen says the demo is one person.
    expect(wrapper.get('.hint').text()).toMatch(/its subjects are all one person.*me-studio synth --faces/)
  })
})
