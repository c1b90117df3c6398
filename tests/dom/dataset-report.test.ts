import { mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import DatasetReport from '../../src/renderer/src/components/DatasetReport.vue'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'

describe('DatasetReport', () => {
  it("shows the opened dataset's label warnings and label file, as the CLI prints them, until dismissed", async () => {
    installFake(fakeTransport({}).transport)
    const project = useProjectStore()
    project.datasets = [{
      id: 1, name: 'CASME2', root: '/data/CASME2', format: 'casme2', fps: 200, labelsPath: '/data/CASME2/CASME2-coding-20140508.xlsx', importedAt: 't', sampleCount: 255, subjectCount: 26,
      problems: [
        { severity: 'warning', code: 'labels/apex-missing', message: 'Row 12: no apex frame (cell is empty or "/")', sample: 'sub04/EP12_01f' },
        { severity: 'warning', code: 'labels/unknown-sample', message: 'Row 40: no clip sub09/EP99_01 in the dataset', sample: 'sub09/EP99_01' },
      ],
    }]
    project.datasetId = 1
    project.openedReport = true
    const wrapper = mount(DatasetReport, { global: { plugins: [getActivePinia()!] } })
    expect(wrapper.text()).toContain('CASME2: 255 samples, 26 subjects')
    expect(wrapper.get('[data-testid=dataset-report-labels]').text()).toBe('/data/CASME2/CASME2-coding-20140508.xlsx')
    expect(wrapper.text()).toContain('2 warnings')
    expect(wrapper.findAll('[data-testid=dataset-report-problems] li').map((li) => li.text())).toEqual([
      'Row 12: no apex frame (cell is empty or "/") [labels/apex-missing]',
      'Row 40: no clip sub09/EP99_01 in the dataset [labels/unknown-sample]',
    ])
    await wrapper.get('[data-testid=dataset-report-dismiss]').trigger('click')
    expect(wrapper.find('[data-testid=dataset-report]').exists()).toBe(false)
  })
})
