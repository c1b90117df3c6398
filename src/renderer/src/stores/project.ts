import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Annotator } from '@shared/domain/annotation'
import type { DatasetRecord, SampleFilter, SampleRecord, SampleSummary } from '@shared/domain/project'
import type { ProjectInfo } from '@shared/ipc'
import { useTransport } from '../transport'
import { useJobsStore } from './jobs'
import { trackBusy } from './track-busy'

const RECENT_KEY = 'me-studio.recent-datasets'
const CODER_KEY = 'me-studio.annotator'
const RECENT_MAX = 8
const lastSampleKey = (projectPath: string) => `me-studio.last-sample:${projectPath}`

export interface OpenProject {
  path: string
  name: string
}

/**
 * The open project as the user browses it: datasets, the filtered sample list with coding status,
 * the open sample, annotators and who is coding. Opening a dataset or the demo runs as a job.
 */
export const useProjectStore = defineStore('project', () => {
  const transport = useTransport()
  const jobs = useJobsStore()

  const project = ref<OpenProject | null>(null)
  const datasets = ref<DatasetRecord[]>([])
  const datasetId = ref<number | null>(null)
  const samples = ref<SampleSummary[]>([])
  /** Every sample of the dataset (unfiltered): the filters' choices and next-uncoded navigation. */
  const allSamples = ref<SampleSummary[]>([])
  const filter = ref<Omit<SampleFilter, 'datasetId'>>({})
  const currentSample = shallowRef<SampleRecord | null>(null)
  const annotators = ref<Annotator[]>([])
  const annotatorId = ref<number | null>(null)
  const blindMode = ref(false)
  const busy = ref<string | null>(null)
  const error = ref<string | null>(null)
  const recentPaths = ref<string[]>(readRecent())
  /** Show the opened dataset's import report (label warnings) until the user dismisses it. */
  const openedReport = ref(false)

  // Other windows, imports and every saved edit change statuses: follow the back end's events.
  transport.on('event:project.changed', (e) => {
    adoptProject(e.project)
    void refreshSamples()
  })
  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  transport.on('event:annotation.changed', () => {
    if (refreshTimer) clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => void refreshSamples(), 150)
  })

  const dataset = computed(() => datasets.value.find((d) => d.id === datasetId.value) ?? null)
  const annotator = computed(() => annotators.value.find((a) => a.id === annotatorId.value) ?? null)
  const coders = computed(() => annotators.value.filter((a) => a.role !== 'dataset'))
  const subjects = computed(() => [...new Set(allSamples.value.map((s) => s.subject))].sort())
  const currentSummary = computed(() => allSamples.value.find((s) => s.id === currentSample.value?.id) ?? null)

  // ---- opening -------------------------------------------------------------------------

  /**
   * Opens a dataset folder: into the open project when there is one (an import job), otherwise
   * into the dataset's own project in the user data folder (created on first use, reopened after).
   */
  async function openDataset(root: string, labels?: string): Promise<void> {
    await trackBusy({ busy, error }, `Opening ${root}`, null, async () => {
      const withLabels = labels ? { labels } : {}
      if (project.value) {
        await jobs.run(`Importing ${root}`, 'dataset.import', () => transport.invoke('command:dataset.import', { root, ...withLabels }))
      } else {
        await jobs.run(`Opening ${root}`, 'project.open-dataset', () => transport.invoke('command:project.open-dataset', { root, ...withLabels }))
      }
      openedReport.value = true
      rememberRecent(root)
      await refreshProject()
    })
  }

  async function openDemo(): Promise<void> {
    await trackBusy({ busy, error }, 'Creating the demo project', null, async () => {
      await jobs.run('Creating the demo project', 'project.create-demo', () => transport.invoke('command:project.create-demo', {}))
      await refreshProject()
    })
  }

  /** Closes the project (the back end's too, so a reload does not reopen it): back to "Open dataset…". */
  async function closeProject(): Promise<void> {
    await trackBusy({ busy, error }, 'Closing the project', null, async () => {
      await transport.invoke('command:project.close', {})
      openedReport.value = false
      adoptProject(null)
      await refreshSamples()
    })
  }

  /** Reads what the back end has open (after a page reload the project is still open there). */
  async function refreshProject(): Promise<void> {
    adoptProject(await transport.invoke('query:project.current', {}))
    await refreshSamples()
    // After a reload (or a restart) the coder is back on the sample they were coding.
    const last = project.value ? Number(localStorage.getItem(lastSampleKey(project.value.path))) : 0
    if (!currentSample.value && allSamples.value.some((s) => s.id === last)) await openSample(last)
  }

  function adoptProject(info: ProjectInfo | null): void {
    project.value = info ? { path: info.path, name: info.name } : null
    datasets.value = info?.datasets ?? []
    blindMode.value = info?.blindMode ?? false
    adoptAnnotators(info?.annotators ?? [])
    if (!datasets.value.some((d) => d.id === datasetId.value)) datasetId.value = datasets.value[datasets.value.length - 1]?.id ?? null
    if (!info) currentSample.value = null
  }

  // ---- annotators ------------------------------------------------------------------------

  function adoptAnnotators(list: Annotator[]): void {
    annotators.value = list
    const remembered = Number(localStorage.getItem(CODER_KEY))
    const pick = coders.value.find((a) => a.id === (annotatorId.value ?? remembered)) ?? coders.value[0]
    annotatorId.value = pick?.id ?? null
  }

  async function refreshAnnotators(): Promise<void> {
    adoptAnnotators(await transport.invoke('query:annotators.list', {}))
  }

  async function addAnnotator(name: string, role: 'coder' | 'adjudicator'): Promise<void> {
    const created = await transport.invoke('command:annotator.create', { name, role })
    await refreshAnnotators()
    await switchAnnotator(created.id)
  }

  async function switchAnnotator(id: number): Promise<void> {
    annotatorId.value = id
    localStorage.setItem(CODER_KEY, String(id))
    await refreshSamples()
  }

  async function setBlindMode(on: boolean): Promise<void> {
    blindMode.value = (await transport.invoke('command:annotation.blind-mode', { on })).blindMode
    await refreshSamples()
  }

  // ---- samples ---------------------------------------------------------------------------

  async function refreshSamples(): Promise<void> {
    if (datasetId.value === null) {
      samples.value = []
      allSamples.value = []
      return
    }
    const viewerId = annotatorId.value ?? undefined
    const base = { datasetId: datasetId.value }
    const [all, filtered] = await Promise.all([
      transport.invoke('query:samples.list', { filter: base, viewerId }),
      transport.invoke('query:samples.list', { filter: { ...base, ...filter.value }, viewerId }),
    ])
    allSamples.value = all
    samples.value = filtered
  }

  async function setFilter(next: Omit<SampleFilter, 'datasetId'>): Promise<void> {
    filter.value = next
    await refreshSamples()
  }

  async function selectDataset(id: number): Promise<void> {
    datasetId.value = id
    currentSample.value = null
    await refreshSamples()
  }

  async function openSample(id: number): Promise<void> {
    currentSample.value = await transport.invoke('query:sample.get', { sampleId: id })
    if (project.value) localStorage.setItem(lastSampleKey(project.value.path), String(id))
  }

  /** The next (or previous) sample in the filtered list, wrapping around. */
  function neighbour(direction: 1 | -1): SampleSummary | null {
    const list = samples.value
    if (list.length === 0) return null
    const at = list.findIndex((s) => s.id === currentSample.value?.id)
    const next = at < 0 ? (direction === 1 ? 0 : list.length - 1) : (((at + direction) % list.length) + list.length) % list.length
    return list[next] ?? null
  }

  /**
   * Opens the next (or previous) sample the current coder has not coded, within the filters;
   * false when none is left. Without a coder profile yet, every sample is uncoded: the next one.
   */
  async function openNextUncoded(direction: 'next' | 'previous'): Promise<boolean> {
    if (annotatorId.value === null) {
      const next = neighbour(direction === 'next' ? 1 : -1)
      if (next) await openSample(next.id)
      return next !== null
    }
    const { sampleId } = await transport.invoke('query:samples.next-uncoded', {
      annotatorId: annotatorId.value,
      fromSampleId: currentSample.value?.id ?? null,
      direction,
      filter: { ...(datasetId.value === null ? {} : { datasetId: datasetId.value }), ...filter.value },
    })
    if (sampleId === null) return false
    await openSample(sampleId)
    return true
  }

  function frameUrl(sample: SampleRecord, index: number): string {
    return transport.mediaUrl(`frame/${encodeURIComponent(sample.clip.path)}/${index}.raw`)
  }

  function thumbUrl(sample: SampleRecord, index: number, size = 96): string {
    return transport.mediaUrl(`thumb/${encodeURIComponent(sample.clip.path)}/${index}.png?size=${size}`)
  }

  function rememberRecent(path: string): void {
    recentPaths.value = [path, ...recentPaths.value.filter((p) => p !== path)].slice(0, RECENT_MAX)
    localStorage.setItem(RECENT_KEY, JSON.stringify(recentPaths.value))
  }

  return {
    project,
    datasets,
    datasetId,
    dataset,
    samples,
    allSamples,
    filter,
    subjects,
    currentSample,
    currentSummary,
    annotators,
    annotatorId,
    annotator,
    coders,
    blindMode,
    busy,
    error,
    recentPaths,
    openedReport,
    openDataset,
    closeProject,
    openDemo,
    refreshProject,
    refreshAnnotators,
    addAnnotator,
    switchAnnotator,
    setBlindMode,
    refreshSamples,
    setFilter,
    selectDataset,
    openSample,
    neighbour,
    openNextUncoded,
    frameUrl,
    thumbUrl,
  }
})

function readRecent(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : []
  } catch {
    return []
  }
}
