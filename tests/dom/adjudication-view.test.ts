import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { parseAus } from '../../src/shared/domain/au'
import type { Annotation } from '../../src/shared/domain/annotation'
import AdjudicationView from '../../src/renderer/src/views/AdjudicationView.vue'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'

function coding(id: number, annotatorId: number, aus: string, emotion: string): Annotation {
  return {
    id, sampleId: 7, annotatorId, adjudicated: false, createdAt: 't', updatedAt: 't',
    onset: 241, apex: 261, offset: 291, aus: parseAus(aus).value!, emotion, objectiveClass: null, notes: '', confidence: null, status: 'done',
  } as Annotation
}

describe('AdjudicationView', () => {
  it('highlights the AUs one coder has and the other lacks, and the differing emotion, besides the frames', async () => {
    const kim = coding(1, 2, '1+2+R12', 'happiness')
    const lee = coding(2, 3, '1+L12B', 'surprise')
    installFake(fakeTransport({
      'query:annotation.get': () => ({ sampleId: 7, status: 'disputed', mine: kim, visible: [kim, lee], issues: [], history: { canUndo: false, canRedo: false, undoAction: null, redoAction: null } }),
    }).transport)
    const project = useProjectStore()
    project.annotators = [{ id: 2, name: 'Kim', initials: '', role: 'coder', createdAt: 't' }, { id: 3, name: 'Lee', initials: '', role: 'coder', createdAt: 't' }] as never
    project.annotatorId = 2
    project.currentSample = { id: 7 } as never
    const wrapper = mount(AdjudicationView, { global: { plugins: [getActivePinia()!], stubs: { CodingPanel: true, FramePlayer: true, TimelineStrip: true } } })
    await flushPromises()

    const rows = wrapper.findAll('[data-testid=adjudication-table] tbody tr')
    const differs = rows.filter((r) => r.classes().includes('differs')).map((r) => r.get('th').text())
    expect(differs).toEqual(['AUs ≠ (the coders differ)', 'emotion ≠ (the coders differ)'])
    // 1 is in both; 2 and R12 are Kim's alone, L12B Lee's alone (side counts, intensity does not).
    expect(wrapper.get('[data-testid=adjudication-aus-Kim]').findAll('mark').map((m) => m.text())).toEqual(['2', 'R12'])
    expect(wrapper.get('[data-testid=adjudication-aus-Lee]').findAll('mark').map((m) => m.text())).toEqual(['L12B'])
    expect(wrapper.get('[data-testid=adjudication-aus-Kim]').text().replace(/\s+/g, '')).toBe('1+2+R12')
    expect(wrapper.get('[data-testid=adjudication-emotion-Lee]').text()).toBe('surprise')
  })
})
