import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Candidate, CandidateReview, SpottingEvaluationView, SpottingRun } from '@shared/ipc'
import { useTransport } from '../transport'
import { useJobsStore } from './jobs'
import { trackBusy } from './track-busy'

/** A review action without the candidate id (the selected candidate's). */
type ReviewAction = CandidateReview extends infer R ? (R extends CandidateReview ? Omit<R, 'candidateId'> : never) : never

/**
 * Candidate review of the open long video (issue #15): spotting it (a job with progress and
 * cancel), its candidates and curve as saved in the project, the selected candidate, and the
 * coder's review — each action saved at once on the back end, which tells every view through
 * `event:spotting.changed`. Frames are the dataset's frame numbers.
 */
export const useSpottingStore = defineStore('spotting', () => {
  const transport = useTransport()
  const jobs = useJobsStore()

  const sampleId = ref<number | null>(null)
  const run = shallowRef<SpottingRun | null>(null)
  const selectedId = ref<number | null>(null)
  const busy = ref<'load' | 'spot' | 'review' | null>(null)
  const error = ref<string | null>(null)
  const activeJob = ref<string | null>(null)
  const evaluation = shallowRef<SpottingEvaluationView | null>(null)
  const evaluationError = ref<string | null>(null)

  const candidates = computed(() => run.value?.candidates ?? [])
  const selected = computed(() => candidates.value.find((c) => c.id === selectedId.value) ?? null)
  const job = computed(() => jobs.jobs.find((j) => j.jobId === activeJob.value) ?? null)

  // Another window (or this one's accept) changed the clip's candidates: reload them.
  transport.on('event:spotting.changed', (e) => {
    if (sampleId.value !== null && (run.value === null || (run.value.datasetId === e.datasetId && run.value.clipPath === e.clipPath))) void reload()
  })

  /** Shows the candidates of a sample's clip (none before the first spotting). */
  async function load(id: number | null): Promise<void> {
    if (id !== sampleId.value) {
      sampleId.value = id
      run.value = null
      selectedId.value = null
      error.value = null
    }
    if (id !== null) await trackBusy({ busy, error }, 'load', null, reload)
  }

  async function reload(): Promise<void> {
    const id = sampleId.value
    if (id === null) return
    const next = await transport.invoke('query:spotting.candidates', { sampleId: id })
    if (sampleId.value === id) run.value = next
  }

  /** Spots every interval of the current sample's video (a job: progress, cancel). */
  async function spot(): Promise<void> {
    const id = sampleId.value
    if (id === null) return
    await trackBusy({ busy, error }, 'spot', null, async () => {
      await jobs.run('Spotting the expressions of the video', 'spotting.long', async () => {
        const started = await transport.invoke('command:spotting.start', { sampleId: id })
        activeJob.value = started.jobId
        return started
      })
      await reload()
    })
    activeJob.value = null
  }

  async function cancel(): Promise<void> {
    if (activeJob.value) await jobs.cancel(activeJob.value)
  }

  /** Selects the next (or previous) candidate after (before) `frame`, the selected one's onset by default; wraps. */
  function step(direction: 1 | -1, frame?: number | null): Candidate | null {
    const list = candidates.value
    if (list.length === 0) return null
    const from = frame ?? selected.value?.onset ?? null
    let next: Candidate | undefined
    if (from === null) next = direction > 0 ? list[0] : list[list.length - 1]
    else if (direction > 0) next = list.find((c) => c.onset > from) ?? list[0]
    else next = [...list].reverse().find((c) => c.onset < from) ?? list[list.length - 1]
    selectedId.value = next?.id ?? null
    return next ?? null
  }

  /** Applies a review action to the selected candidate; the answer replaces it in the list. */
  async function review(action: ReviewAction): Promise<Candidate | null> {
    const target = selected.value
    if (!target) {
      error.value = 'Select a candidate first (. and , step through them)'
      return null
    }
    const result = await trackBusy({ busy, error }, 'review', null, () => transport.invoke('command:spotting.review', { ...action, candidateId: target.id } as CandidateReview))
    if (!result) return null
    if (run.value) {
      const list = run.value.candidates.map((c) => (c.id === result.candidate.id ? result.candidate : c)).sort((a, b) => a.onset - b.onset || a.id - b.id)
      run.value = { ...run.value, candidates: list }
    }
    return result.candidate
  }

  function accept(annotatorId: number | null): Promise<Candidate | null> {
    if (annotatorId === null) {
      error.value = 'Choose or add a coder first: an accepted candidate is coded in their name'
      return Promise.resolve(null)
    }
    return review({ action: 'accept', annotatorId })
  }

  /** Moves the selected candidate's onset or offset to `frame` (the other edge kept). */
  function setEdge(edge: 'onset' | 'offset', frame: number): Promise<Candidate | null> {
    const c = selected.value
    if (!c) {
      error.value = 'Select a candidate first (. and , step through them)'
      return Promise.resolve(null)
    }
    const onset = edge === 'onset' ? frame : c.onset
    const offset = edge === 'offset' ? frame : c.offset
    if (offset < onset) {
      error.value = edge === 'onset' ? `Onset ${frame} would be after the offset ${c.offset}` : `Offset ${frame} would be before the onset ${c.onset}`
      return Promise.resolve(null)
    }
    return review({ action: 'edges', onset, offset })
  }

  /** MEGC evaluation of the project's long videos (Batch view). */
  async function evaluate(iou = 0.5): Promise<void> {
    evaluationError.value = null
    try {
      evaluation.value = await transport.invoke('query:spotting.evaluation', { iou })
    } catch (e) {
      evaluation.value = null
      evaluationError.value = (e as Error).message
    }
  }

  return { sampleId, run, candidates, selectedId, selected, busy, error, job, activeJob, evaluation, evaluationError, load, reload, spot, cancel, step, review, accept, setEdge, evaluate }
})

