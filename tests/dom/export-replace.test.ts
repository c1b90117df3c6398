import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { StudioError } from '@shared/ipc'
import BatchExportDialog from '../../src/renderer/src/components/BatchExportDialog.vue'
import CodesExchange from '../../src/renderer/src/components/CodesExchange.vue'
import { useBatchStore } from '../../src/renderer/src/stores/batch'
import { fakeTransport, installFake } from './helpers/fake-transport'

/** The studio's answer for an export whose target exists (as the services give it). */
function refusingUnlessOverwrite<T>(result: T) {
  return (input: { overwrite?: boolean; target?: string; path?: string }) => {
    if (!input.overwrite) throw new StudioError('export/target-exists', `${input.target ?? input.path} already exists: it is replaced only when asked to`)
    return result
  }
}

describe('exports ask before replacing', () => {
  it('codes: an existing file gets "Replace?"; Replace sends the export again with overwrite, Keep sends nothing', async () => {
    const fake = fakeTransport({ 'command:codes.export': refusingUnlessOverwrite({ files: ['/data/codes.csv'], rows: 6, skipped: 0 }) })
    installFake(fake.transport)
    const wrapper = mount(CodesExchange, { global: { plugins: [getActivePinia()!] } })
    await wrapper.get('[data-testid=export-path]').setValue('/data/codes.csv')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(fake.calls.map((c) => c.input)).toEqual([{ format: 'csv', target: '/data/codes.csv', overwrite: false }])
    expect(wrapper.get('[data-testid=replace-prompt]').text()).toContain('/data/codes.csv already exists. Replace it?')
    expect(wrapper.find('[data-testid=codes-error]').exists()).toBe(false)

    await wrapper.get('[data-testid=replace-keep]').trigger('click')
    expect(wrapper.find('[data-testid=replace-prompt]').exists()).toBe(false)
    expect(fake.calls).toHaveLength(1)

    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await wrapper.get('[data-testid=replace-confirm]').trigger('click')
    await flushPromises()
    expect(fake.calls.map((c) => (c.input as { overwrite: boolean }).overwrite)).toEqual([false, false, true])
    expect(wrapper.find('[data-testid=replace-prompt]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=codes-message]').text()).toBe('Exported 6 codings to /data/codes.csv')
  })

  it('batch results: the predictions export asks too, and other errors are shown as errors', async () => {
    const fake = fakeTransport({
      'command:batch.export': refusingUnlessOverwrite({ path: '/data/preds.csv', rows: 24 }),
      'command:batch.export-evaluation': () => {
        throw new StudioError('invalid-input', '/data/report.txt: this export writes only .html or .htm files')
      },
    })
    installFake(fake.transport)
    const wrapper = mount(BatchExportDialog, { props: { jobId: 'job-1' }, global: { plugins: [getActivePinia()!] } })
    await wrapper.get('[data-testid=batch-export-path]').setValue('/data/preds.csv')
    await wrapper.get('[data-testid=batch-export-run]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid=replace-prompt]').text()).toContain('/data/preds.csv already exists')
    await wrapper.get('[data-testid=replace-confirm]').trigger('click')
    await flushPromises()
    expect(fake.calls.map((c) => c.input)).toEqual([
      { jobId: 'job-1', format: 'csv', path: '/data/preds.csv', summaries: false, overwrite: false },
      { jobId: 'job-1', format: 'csv', path: '/data/preds.csv', summaries: false, overwrite: true },
    ])
    expect(wrapper.get('[data-testid=batch-export-result]').text()).toBe('24 predictions written to /data/preds.csv')

    await wrapper.findAll('input[type=radio]')[1]!.setValue(true)
    await wrapper.get('[data-testid=export-format]').setValue('html')
    await wrapper.get('[data-testid=batch-export-path]').setValue('/data/report.txt')
    await wrapper.get('[data-testid=batch-export-run]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid=replace-prompt]').exists()).toBe(false)
    expect(fake.calls).toHaveLength(3)
    expect(useBatchStore().error).toBe('/data/report.txt: this export writes only .html or .htm files')
  })
})
