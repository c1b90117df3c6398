import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import {
  EMPTY_ANNOTATION_FIELDS,
  annotationFields,
  validateAnnotation,
  type Annotation,
  type AnnotationFields,
  type AnnotationPatch,
  type ClipTiming,
} from '@shared/domain/annotation'
import type { AuSet } from '@shared/domain/au'
import type { OutputOf } from '@shared/ipc'
import { useTransport } from '../transport'

export const MARK_KINDS = ['onset', 'apex', 'offset'] as const
export type MarkKind = (typeof MARK_KINDS)[number]

export type SaveState = 'saved' | 'saving' | 'error'

type HistoryState = OutputOf<'query:annotation.history'>

const NO_HISTORY: HistoryState = { canUndo: false, canRedo: false, undoAction: null, redoAction: null }

type CommandResult = Pick<OutputOf<'command:annotation.update'>, 'annotation' | 'history'>

export interface CodingScope {
  sampleId: number
  annotatorId: number
  /** Editing the sample's adjudicated coding (adjudication view) instead of the coder's own. */
  adjudicated: boolean
}

/**
 * The coding being edited: one coder's annotation of the open sample. Every edit is shown at once
 * (optimistic) and sent to the back end as one command; commands run strictly in order, and each
 * is committed by the back end in its own transaction, so "Saved" means on disk. Undo/redo walk
 * the back end's persisted history.
 */
export const useAnnotationStore = defineStore('annotation', () => {
  const transport = useTransport()
  const scope = ref<CodingScope | null>(null)
  const clip = ref<ClipTiming | null>(null)
  const annotation = ref<Annotation | null>(null)
  const fields = ref<AnnotationFields>({ ...EMPTY_ANNOTATION_FIELDS })
  const history = ref<HistoryState>(NO_HISTORY)
  const pending = ref(0)
  const saveError = ref<string | null>(null)
  const selectedMark = ref<MarkKind | null>(null)

  const saveState = computed<SaveState>(() => (saveError.value ? 'error' : pending.value > 0 ? 'saving' : 'saved'))
  const issues = computed(() => validateAnnotation(fields.value, clip.value ?? undefined))

  // Another window (or an import) changed this coding: show it, unless an edit of ours is in flight.
  transport.on('event:annotation.changed', (e) => {
    const s = scope.value
    if (s && pending.value === 0 && e.sampleId === s.sampleId && e.annotatorId === s.annotatorId && e.adjudicated === s.adjudicated) {
      void refresh(true).catch(() => undefined)
    }
  })

  let queue: Promise<void> = Promise.resolve()
  /** Bumped on every load, so replies for a previous sample are ignored. */
  let generation = 0

  function adopt(result: CommandResult): void {
    annotation.value = result.annotation
    fields.value = result.annotation ? annotationFields(result.annotation) : { ...EMPTY_ANNOTATION_FIELDS }
    history.value = result.history
  }

  /** Runs `command` after every earlier one; its result is adopted once no later edit is waiting. */
  function enqueue(command: (s: CodingScope) => Promise<CommandResult>): Promise<void> {
    const s = scope.value
    if (!s) return Promise.resolve()
    const mine = generation
    pending.value += 1
    queue = queue.then(async () => {
      try {
        const result = await command(s)
        if (mine === generation && pending.value === 1) adopt(result)
        if (mine === generation) saveError.value = null
      } catch (error) {
        if (mine !== generation) return
        saveError.value = (error as Error).message
        // Show what is really stored, not the optimistic state that failed to save.
        await refresh().catch(() => undefined)
      } finally {
        pending.value -= 1
      }
    })
    return queue
  }

  async function load(next: CodingScope, timing: ClipTiming): Promise<void> {
    await queue
    generation += 1
    scope.value = next
    clip.value = timing
    selectedMark.value = null
    saveError.value = null
    annotation.value = null
    fields.value = { ...EMPTY_ANNOTATION_FIELDS }
    history.value = NO_HISTORY
    await refresh()
  }

  /** Reads the stored coding; with `onlyIfIdle`, drops the answer if an edit started meanwhile. */
  async function refresh(onlyIfIdle = false): Promise<void> {
    const s = scope.value
    if (!s) return
    const mine = generation
    const coding = await transport.invoke('query:annotation.get', { sampleId: s.sampleId, viewerId: s.annotatorId })
    const own = s.adjudicated ? (coding.visible.find((a) => a.adjudicated) ?? null) : coding.mine
    const state = s.adjudicated ? await transport.invoke('query:annotation.history', s) : coding.history
    if (mine === generation && !(onlyIfIdle && pending.value > 0)) adopt({ annotation: own, history: state })
  }

  function unload(): void {
    generation += 1
    scope.value = null
    annotation.value = null
    fields.value = { ...EMPTY_ANNOTATION_FIELDS }
    history.value = NO_HISTORY
  }

  function update(patch: AnnotationPatch): Promise<void> {
    if (!scope.value) return Promise.resolve()
    fields.value = { ...fields.value, ...patch }
    // The adjudicated coding is written whole (a merge); a coder's own as a patch.
    const merged = fields.value
    return enqueue((s) =>
      s.adjudicated
        ? transport.invoke('command:annotation.adjudicate', { sampleId: s.sampleId, adjudicatorId: s.annotatorId, choice: { merge: merged } })
        : transport.invoke('command:annotation.update', { sampleId: s.sampleId, annotatorId: s.annotatorId, patch }),
    )
  }

  /** Adjudication: take one coder's annotation as the sample's adjudicated coding. */
  function accept(annotationId: number): Promise<void> {
    return enqueue((s) => transport.invoke('command:annotation.adjudicate', { sampleId: s.sampleId, adjudicatorId: s.annotatorId, choice: { accept: annotationId } }))
  }

  function mark(kind: MarkKind, frameNumber: number): Promise<void> {
    selectedMark.value = kind
    return update({ [kind]: frameNumber })
  }

  /** Moves the selected mark by `delta` frames, staying inside the clip. */
  function nudge(delta: number, bounds: { first: number; last: number }): Promise<void> {
    const kind = selectedMark.value
    const current = kind ? fields.value[kind] : null
    if (!kind || current === null) return Promise.resolve()
    const next = Math.max(bounds.first, Math.min(bounds.last, current + delta))
    return next === current ? Promise.resolve() : update({ [kind]: next })
  }

  function clearMark(): Promise<void> {
    const kind = selectedMark.value
    if (!kind || fields.value[kind] === null) return Promise.resolve()
    return update({ [kind]: null })
  }

  const setAus = (aus: AuSet) => update({ aus })

  function undo(): Promise<void> {
    return enqueue((s) => transport.invoke('command:annotation.undo', s))
  }

  function redo(): Promise<void> {
    return enqueue((s) => transport.invoke('command:annotation.redo', s))
  }

  return {
    scope,
    annotation,
    fields,
    history,
    issues,
    saveState,
    saveError,
    selectedMark,
    load,
    unload,
    refresh,
    update,
    mark,
    nudge,
    clearMark,
    setAus,
    accept,
    undo,
    redo,
  }
})

