import { afterEach, describe, expect, it } from 'vitest'
import { parseAus } from '@shared/domain/au'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { Project } from '../../../src/main/services/project/project'
import { projectWithSamples, scratchDir } from '../project/project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

async function setup() {
  const s = scratchDir()
  cleanup = s.cleanup
  const { project, sampleIds } = await projectWithSamples(s.dir)
  const coding = new CodingService(project)
  const kim = coding.createAnnotator('Kim', 'coder', 'KM')
  const lee = coding.createAnnotator('Lee', 'coder')
  return { project, coding, sampleIds, kim, lee }
}

describe('coding service', () => {
  it('applies commands, validates, and undoes/redoes them across a restart', async () => {
    const { project, coding, sampleIds, kim } = await setup()
    const s = sampleIds[0]!
    coding.update(s, kim.id, { onset: 20 })
    coding.update(s, kim.id, { apex: 30, offset: 50 })
    const withAus = coding.update(s, kim.id, { aus: parseAus('1+2+R12').value, emotion: 'surprise' })
    expect(withAus.annotation).toMatchObject({ onset: 20, apex: 30, offset: 50, emotion: 'surprise' })
    expect(withAus.issues).toEqual([])
    expect(withAus.history).toMatchObject({ canUndo: true, canRedo: false, undoAction: 'set AUs, emotion' })

    // order error reported, still saved (the coder fixes it next)
    const bad = coding.update(s, kim.id, { apex: 60 })
    expect(bad.issues.map((i) => i.code)).toEqual(['order'])

    const path = project.path
    project.close()
    const reopened = new CodingService(await Project.open(path))
    const undone = reopened.undo({ annotatorId: kim.id, sampleId: s })
    expect(undone.annotation?.apex).toBe(30)
    expect(reopened.undo({ annotatorId: kim.id, sampleId: s }).annotation?.emotion).toBeNull()
    expect(reopened.redo({ annotatorId: kim.id, sampleId: s }).annotation?.emotion).toBe('surprise')
    // a new command drops the redo stack
    reopened.update(s, kim.id, { notes: 'brows first' })
    expect(reopened.historyState({ annotatorId: kim.id, sampleId: s })).toMatchObject({ canRedo: false })
    // undo everything back to nothing: the annotation disappears
    let state = reopened.historyState({ annotatorId: kim.id, sampleId: s })
    let last = null as ReturnType<CodingService['undo']> | null
    while (state.canUndo) {
      last = reopened.undo({ annotatorId: kim.id, sampleId: s })
      state = last.history
    }
    expect(last!.annotation).toBeNull()
    reopened.project.close()
  })

  it('does not write history for a command that changes nothing', async () => {
    const { coding, sampleIds, kim } = await setup()
    coding.update(sampleIds[0]!, kim.id, { onset: 12 })
    expect(coding.update(sampleIds[0]!, kim.id, { onset: 12 }).changed).toBe(false)
    coding.undo({ annotatorId: kim.id, sampleId: sampleIds[0]! })
    expect(coding.historyState({ annotatorId: kim.id, sampleId: sampleIds[0]! }).canUndo).toBe(false)
  })

  it('rejects invalid values without writing anything', async () => {
    const { coding, sampleIds, kim, project } = await setup()
    expect(() => coding.update(sampleIds[0]!, kim.id, { confidence: 2 })).toThrow()
    expect(project.getAnnotation({ sampleId: sampleIds[0]!, annotatorId: kim.id, adjudicated: false })).toBeNull()
  })

  it('derives status, filters, and finds the next uncoded sample', async () => {
    const { coding, sampleIds, kim, lee } = await setup()
    const [a, b, c] = sampleIds as [number, number, number]
    coding.update(a, kim.id, { onset: 10, apex: 20, offset: 30, emotion: 'happiness', aus: parseAus('12').value })
    coding.update(a, lee.id, { onset: 11, apex: 20, offset: 31, emotion: 'happiness', aus: parseAus('12').value })
    coding.update(b, kim.id, { emotion: 'disgust', aus: parseAus('4+L10').value })
    coding.update(b, lee.id, { emotion: 'sadness' })
    const status = Object.fromEntries(coding.listSamples().map((r) => [r.id, r.status]))
    expect([status[a], status[b], status[c]]).toEqual(['coded', 'disputed', 'uncoded'])
    expect(coding.listSamples({ status: 'disputed' }).map((r) => r.id)).toEqual([b])
    expect(coding.listSamples({ au: 10 }).map((r) => r.id)).toEqual([b])
    expect(coding.listSamples({ emotion: 'happiness' }).map((r) => r.id)).toEqual([a])
    expect(coding.listSamples({ subject: 'sub02' })).toHaveLength(3)
    expect(coding.nearestUncoded(kim.id, null, 'next')).toBe(c)
    expect(coding.nearestUncoded(kim.id, c, 'previous')).toBeNull()
    expect(coding.nearestUncoded(kim.id, c, 'next')).toBe(sampleIds[3])

    coding.adjudicate(b, coding.createAnnotator('Ada', 'adjudicator').id, { accept: coding.visibleAnnotations(b, kim.id).find((x) => x.annotatorId === kim.id)!.id })
    expect(coding.listSamples().find((r) => r.id === b)!.status).toBe('adjudicated')
  })

  it('hides other coders in blind mode until the sample is adjudicated', async () => {
    const { coding, sampleIds, kim, lee } = await setup()
    const s = sampleIds[0]!
    coding.update(s, kim.id, { emotion: 'fear' })
    coding.update(s, lee.id, { emotion: 'surprise' })
    coding.setBlindMode(true)
    expect(coding.visibleAnnotations(s, kim.id).map((a) => a.annotatorId)).toEqual([kim.id])
    expect(coding.listSamples({}, kim.id)[0]!.status).toBe('coded') // the dispute is hidden too
    const ada = coding.createAnnotator('Ada', 'adjudicator')
    expect(coding.visibleAnnotations(s, ada.id)).toHaveLength(2)
    const merged = coding.adjudicate(s, ada.id, {
      merge: { onset: null, apex: null, offset: null, aus: parseAus('1+2').value, emotion: 'surprise', objectiveClass: null, notes: 'merged', confidence: null, status: 'done' },
    })
    expect(merged.annotation).toMatchObject({ adjudicated: true, emotion: 'surprise' })
    expect(coding.visibleAnnotations(s, kim.id)).toHaveLength(3)
    // the adjudication is undoable by the adjudicator
    expect(coding.undo({ annotatorId: ada.id, sampleId: s, adjudicated: true }).annotation).toBeNull()
  })

  it('keeps the dataset labels read-only', async () => {
    const { coding, sampleIds, project } = await setup()
    const labels = project.transaction(() => project.createAnnotator('CASME II labels', 'dataset'))
    expect(() => coding.update(sampleIds[0]!, labels.id, { onset: 1 })).toThrow(/read-only/)
  })
})
