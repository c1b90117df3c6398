import { flushPromises } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { EMPTY_ANNOTATION_FIELDS, type Annotation, type AnnotationFields } from '@shared/domain/annotation'
import { useAnnotationStore } from '../../src/renderer/src/stores/annotation'
import { fakeTransport, installFake } from './helpers/fake-transport'

const NO_HISTORY = { canUndo: false, canRedo: false, undoAction: null, redoAction: null }

/** A back end that keeps one annotation with a linear history, like the coding service. */
function backEnd(options: { failOn?: keyof AnnotationFields } = {}) {
  let fields: AnnotationFields | null = null
  const past: (AnnotationFields | null)[] = []
  const future: (AnnotationFields | null)[] = []
  const annotation = (): Annotation | null =>
    fields && { ...fields, id: 1, sampleId: 7, annotatorId: 3, adjudicated: false, createdAt: 't', updatedAt: 't' }
  const result = () => ({
    annotation: annotation(),
    issues: [],
    history: { canUndo: past.length > 0, canRedo: future.length > 0, undoAction: past.length ? 'edit' : null, redoAction: future.length ? 'edit' : null },
    changed: true,
  })
  return {
    handlers: {
      'query:annotation.get': () => ({ sampleId: 7, status: 'uncoded', mine: annotation(), visible: [], issues: [], history: result().history }),
      'command:annotation.update': ({ patch }: { patch: Partial<AnnotationFields> }) => {
        if (options.failOn && options.failOn in patch) throw new Error('disk full')
        past.push(fields)
        future.length = 0
        fields = { ...(fields ?? EMPTY_ANNOTATION_FIELDS), ...patch }
        return result()
      },
      'command:annotation.undo': () => {
        future.push(fields)
        fields = past.pop() ?? null
        return result()
      },
      'command:annotation.redo': () => {
        past.push(fields)
        fields = future.pop() ?? null
        return result()
      },
      'command:annotation.adjudicate': ({ choice }: { choice: { merge: AnnotationFields } }) => {
        fields = choice.merge
        return result()
      },
      'query:annotation.history': () => NO_HISTORY,
    },
  }
}

async function setup(options: { failOn?: keyof AnnotationFields } = {}) {
  const fake = fakeTransport(backEnd(options).handlers)
  installFake(fake.transport)
  const store = useAnnotationStore()
  await store.load({ sampleId: 7, annotatorId: 3, adjudicated: false }, { fps: 200, firstFrame: 100, lastFrame: 180 })
  return { store, calls: fake.calls }
}

describe('annotation store', () => {
  it('shows an edit at once, sends it as one command, and reports Saving… then Saved', async () => {
    const { store, calls } = await setup()
    const done = store.mark('onset', 120)
    expect(store.fields.onset).toBe(120)
    expect(store.selectedMark).toBe('onset')
    expect(store.saveState).toBe('saving')
    await done
    expect(store.saveState).toBe('saved')
    expect(calls.at(-1)).toEqual({ channel: 'command:annotation.update', input: { sampleId: 7, annotatorId: 3, patch: { onset: 120 } } })
    expect(store.history.canUndo).toBe(true)
  })

  it('runs quick successive edits in order and ends with the back end’s state', async () => {
    const { store, calls } = await setup()
    void store.mark('onset', 120)
    void store.mark('apex', 130)
    await store.mark('offset', 150)
    expect(calls.filter((c) => c.channel === 'command:annotation.update').map((c) => (c.input as { patch: object }).patch)).toEqual([
      { onset: 120 },
      { apex: 130 },
      { offset: 150 },
    ])
    expect([store.fields.onset, store.fields.apex, store.fields.offset]).toEqual([120, 130, 150])
  })

  it('nudges the selected mark within the clip and clears it', async () => {
    const { store } = await setup()
    await store.mark('apex', 180)
    await store.nudge(1, { first: 100, last: 180 })
    expect(store.fields.apex).toBe(180)
    await store.nudge(-1, { first: 100, last: 180 })
    expect(store.fields.apex).toBe(179)
    await store.clearMark()
    expect(store.fields.apex).toBeNull()
  })

  it('undoes and redoes through the back end’s history', async () => {
    const { store } = await setup()
    await store.update({ emotion: 'happiness' })
    await store.undo()
    expect(store.fields.emotion).toBeNull()
    expect(store.history.canRedo).toBe(true)
    await store.redo()
    expect(store.fields.emotion).toBe('happiness')
  })

  it('validates inline: order errors and the 500 ms micro-expression limit', async () => {
    const { store } = await setup()
    await store.update({ onset: 150, apex: 120, offset: 170 })
    expect(store.issues.map((i) => i.code)).toContain('order')
    await store.update({ onset: 100, apex: 120, offset: 180 })
    expect(store.issues.map((i) => i.code)).toEqual([])
    await store.update({ apex: null })
    expect(store.issues.map((i) => i.code)).toEqual(['apex-missing'])
  })

  it('on a failed save shows the error and falls back to what is stored, never the unsaved edit', async () => {
    const { store } = await setup({ failOn: 'notes' })
    await store.update({ emotion: 'fear' })
    await store.update({ notes: 'lost?' })
    await flushPromises()
    expect(store.saveState).toBe('error')
    expect(store.saveError).toBe('disk full')
    expect(store.fields.notes).toBe('')
    expect(store.fields.emotion).toBe('fear')
  })

  it('writes the adjudicated coding whole, as a merge', async () => {
    const fake = fakeTransport(backEnd().handlers)
    installFake(fake.transport)
    const store = useAnnotationStore()
    await store.load({ sampleId: 7, annotatorId: 3, adjudicated: true }, { fps: 200 })
    await store.update({ emotion: 'surprise' })
    const call = fake.calls.find((c) => c.channel === 'command:annotation.adjudicate')
    expect(call?.input).toEqual({ sampleId: 7, adjudicatorId: 3, choice: { merge: { ...EMPTY_ANNOTATION_FIELDS, emotion: 'surprise' } } })
  })
})
