import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { BatchSelection } from '@shared/domain/batch'
import type { BatchJobSummary, EvaluationReportDto, EventPayload, InputOf, JobDone, OutputOf } from '@shared/ipc'
import { useTransport } from '../transport'
import { useInferenceStore } from './inference'
import { useJobsStore } from './jobs'
import { useProjectStore } from './project'
import { useSystemStore } from './system'
import { useWorkspaceStore } from './workspace'
import { orAskToReplace } from './replace-target'
import { trackBusy } from './track-busy'

export type BatchProgressEvent = EventPayload<'event:batch.progress'>
export type BatchItemErrorDto = OutputOf<'query:batch.errors'>[number]

/**
 * Batch prediction in the UI: the project's batch jobs (running ones update from
 * `event:batch.progress`), the selected job's per-sample errors and evaluation, exports, and
 * opening a sample of the report in the inspection view.
 */
export const useBatchStore = defineStore('batch', () => {
  const transport = useTransport()
  const jobs = ref<BatchJobSummary[]>([])
  const progress = ref<Record<string, BatchProgressEvent>>({})
  const selectedJobId = ref<string | null>(null)
  const itemErrors = ref<BatchItemErrorDto[]>([])
  const evaluation = shallowRef<EvaluationReportDto | null>(null)
  const error = ref<string | null>(null)
  const busy = ref(false)

  const selectedJob = computed(() => jobs.value.find((j) => j.jobId === selectedJobId.value) ?? null)

  transport.on('event:batch.progress', (p: BatchProgressEvent) => {
    progress.value = { ...progress.value, [p.jobId]: p }
    const job = jobs.value.find((j) => j.jobId === p.jobId)
    if (job) Object.assign(job, { done: p.done, failed: p.failed, state: p.state, active: true })
  })
  transport.on('event:job.done', (d: JobDone) => {
    if (d.kind !== 'batch.predict') return
    const { [d.jobId]: _finished, ...rest } = progress.value
    progress.value = rest
    // The status bar lists the providers predictions ran on: a batch may have added one.
    void useSystemStore().refresh()
    void refresh().then(() => (d.jobId === selectedJobId.value ? loadDetails(d.jobId) : undefined))
  })

  function attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    return trackBusy({ busy, error }, true, false, work)
  }

  async function refresh(): Promise<void> {
    await attempt(async () => {
      jobs.value = await transport.invoke('query:batch.jobs', {})
      if (selectedJobId.value && !jobs.value.some((j) => j.jobId === selectedJobId.value)) selectedJobId.value = null
    })
  }

  async function start(request: { models: string[]; selection: BatchSelection; summaries: boolean; provider: string | null }): Promise<void> {
    const started = await attempt(() => transport.invoke('command:batch.start', { ...request, shard: null }))
    if (!started) return
    await refresh()
    await select(started.jobId)
  }

  async function select(jobId: string): Promise<void> {
    selectedJobId.value = jobId
    await loadDetails(jobId)
  }

  async function loadDetails(jobId: string): Promise<void> {
    await attempt(async () => {
      const [errors, report] = await Promise.all([transport.invoke('query:batch.errors', { jobId }), transport.invoke('query:batch.evaluation', { jobId })])
      if (selectedJobId.value !== jobId) return
      itemErrors.value = errors
      evaluation.value = report
    })
  }

  const pause = (jobId: string) => attempt(() => transport.invoke('command:batch.pause', { jobId })).then(refresh)
  const resume = (jobId: string) => attempt(() => transport.invoke('command:batch.resume', { jobId })).then(refresh)
  const cancel = (jobId: string) => attempt(() => transport.invoke('command:batch.cancel', { jobId })).then(refresh)

  // Exports: when the target exists, `askToReplace` is called (the view asks "Replace?" and sends the export again with overwrite).
  function exportPredictions(input: InputOf<'command:batch.export'>, askToReplace: () => void) {
    return attempt(() => orAskToReplace(() => transport.invoke('command:batch.export', input), askToReplace))
  }

  function exportEvaluation(input: InputOf<'command:batch.export-evaluation'>, askToReplace: () => void) {
    return attempt(() => orAskToReplace(() => transport.invoke('command:batch.export-evaluation', input), askToReplace))
  }

  /** Writes a training set for the models kit (a job: progress in the jobs store); resolves with a one-line summary. */
  async function exportTrainingSet(input: InputOf<'command:batch.export-training-set'>, askToReplace: () => void): Promise<string | undefined> {
    const result = (await attempt(() =>
      orAskToReplace(
        () => useJobsStore().run('Exporting a training set', 'export.training-set', () => transport.invoke('command:batch.export-training-set', input)),
        askToReplace,
      ),
    )) as { folders: { modelId: string; dir: string; samples: number }[]; skipped: { uncoded: number; unlabelled: number }; failed: unknown[] } | undefined
    if (!result) return undefined
    const written = result.folders.map((f) => `${f.samples} samples for ${f.modelId} in ${f.dir}`).join('; ')
    return `${written}; skipped ${result.skipped.uncoded} uncoded, ${result.skipped.unlabelled} without a label; ${result.failed.length} failed`
  }

  /** Opens a sample of the report (e.g. a misclassified one) in the inspection view, with the model that predicted it in slot A. */
  async function inspect(sampleId: number, modelId: string): Promise<void> {
    await attempt(() => useProjectStore().openSample(sampleId))
    const inference = useInferenceStore()
    if (inference.cardOf(modelId)) inference.selected = { ...inference.selected, a: modelId }
    useWorkspaceStore().show('inspect')
  }

  return { jobs, progress, selectedJobId, selectedJob, itemErrors, evaluation, error, busy, refresh, start, select, pause, resume, cancel, exportPredictions, exportEvaluation, exportTrainingSet, inspect }
})
