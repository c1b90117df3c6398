import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Annotator } from '@shared/domain/annotation'
import type { DatasetRecord, SampleFilter, SampleRecord, SampleSummary } from '@shared/domain/project'
import type { PositionedSample, ProjectInfo, StatusCounts } from '@shared/ipc'
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
  /**
   * The filtered list, by index, as far as it is loaded: pages of `PAGE` rows arrive as the list
   * scrolls to them (holes until then), so no step ever needs the whole list.
   */
  const rows = shallowRef<(SampleSummary | undefined)[]>([])
  /** Samples matching the filters. */
  const total = ref(0)
  /** Samples per status in the dataset (unfiltered), as the current coder sees them. */
  const statusCounts = ref<StatusCounts>(emptyCounts())
  const subjects = ref<string[]>([])
  const filter = ref<Omit<SampleFilter, 'datasetId'>>({})
  const currentSample = shallowRef<SampleRecord | null>(null)
  /** The open sample's browser row, and its index in the filtered list (null: the filters leave it out). */
  const currentSummary = shallowRef<SampleSummary | null>(null)
  const currentIndex = ref<number | null>(null)
  /** Bumped whenever samples' statuses may have changed (views that summarise them reload on it). */
  const revision = ref(0)
  const annotators = ref<Annotator[]>([])
  const annotatorId = ref<number | null>(null)
  const blindMode = ref(false)
  const busy = ref<string | null>(null)
  const error = ref<string | null>(null)
  const recentPaths = ref<string[]>(readRecent())
  /** Show the opened dataset's import report (label warnings) until the user dismisses it. */
  const openedReport = ref(false)

  // Other windows and imports change statuses: follow the back end's events. A saved edit sends
  // its one row; a whole reload is left for edits that may move rows in or out of the filters.
  transport.on('event:project.changed', (e) => {
    adoptProject(e.project)
    void refreshSamples()
  })
  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  function refreshSoon(): void {
    if (refreshTimer) clearTimeout(refreshTimer)
    refreshTimer = setTimeout(() => void refreshSamples(), 150)
  }
  transport.on('event:samples.updated', ({ viewerId, row, counts }) => {
    if (row.datasetId !== datasetId.value) return
    const filtersOnCoding = filter.value.status !== undefined || filter.value.emotion !== undefined || filter.value.au !== undefined
    if (viewerId !== annotatorId.value || filtersOnCoding) {
      refreshSoon()
      return
    }
    statusCounts.value = counts
    const at = rows.value.findIndex((r) => r?.id === row.id)
    if (at >= 0) {
      const next = rows.value.slice()
      next[at] = row
      rows.value = next
    }
    if (currentSummary.value?.id === row.id) currentSummary.value = row
    revision.value += 1
  })

  const dataset = computed(() => datasets.value.find((d) => d.id === datasetId.value) ?? null)
  const annotator = computed(() => annotators.value.find((a) => a.id === annotatorId.value) ?? null)
  const coders = computed(() => annotators.value.filter((a) => a.role !== 'dataset'))
  /** The rows loaded so far, in list order. */
  const samples = computed(() => rows.value.filter((r): r is SampleSummary => r !== undefined))

  // ---- opening -------------------------------------------------------------------------

  /**
   * Opens a dataset folder: into the open project when there is one (an import job), otherwise
   * into the dataset's own project in the user data folder (created on first use, reopened after).
   * A project file (`.meproj`, as the CLI makes it) or a folder holding one opens that project.
   */
  async function openDataset(root: string, labels?: string): Promise<void> {
    await trackBusy({ busy, error }, `Opening ${root}`, null, async () => {
      const withLabels = labels ? { labels } : {}
      // A project file (the CLI's `.meproj`) is opened, never imported into the open project.
      if (project.value && !/\.(meproj|mestudio)$/i.test(root)) {
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
    // After a reload (or a restart) the coder is back on the sample they were coding.
    const last = project.value ? Number(localStorage.getItem(lastSampleKey(project.value.path))) : 0
    const found = await refreshSamples(last > 0 ? last : undefined)
    if (!currentSample.value && found) await openSample(last, found)
  }

  function adoptProject(info: ProjectInfo | null): void {
    project.value = info ? { path: info.path, name: info.name } : null
    datasets.value = info?.datasets ?? []
    blindMode.value = info?.blindMode ?? false
    adoptAnnotators(info?.annotators ?? [])
    if (!datasets.value.some((d) => d.id === datasetId.value)) datasetId.value = datasets.value[datasets.value.length - 1]?.id ?? null
    if (!info) closeSample()
  }

  function closeSample(): void {
    currentSample.value = null
    currentSummary.value = null
    currentIndex.value = null
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

  const PAGE = 100
  /** Bumped by each refresh: pages asked for before it are dropped when they arrive. */
  let generation = 0
  const loadingPages = new Set<number>()

  const listFilter = (): SampleFilter => ({ ...(datasetId.value === null ? {} : { datasetId: datasetId.value }), ...filter.value })
  const viewer = () => annotatorId.value ?? undefined

  /**
   * Reloads the list's first page, its length, the status counts and subjects, and places the
   * open sample (or `locate`) in it; other pages load again as the list shows them.
   * Returns the located sample's row and index, when it exists.
   */
  async function refreshSamples(locate = currentSample.value?.id): Promise<PositionedSample | null> {
    const gen = ++generation
    loadingPages.clear()
    if (datasetId.value === null) {
      rows.value = []
      total.value = 0
      statusCounts.value = emptyCounts()
      subjects.value = []
      return null
    }
    const window = await transport.invoke('query:samples.window', {
      filter: listFilter(),
      viewerId: viewer(),
      offset: 0,
      limit: PAGE,
      facets: true,
      ...(locate === undefined ? {} : { sampleId: locate }),
    })
    if (gen !== generation) return window.current
    total.value = window.total
    rows.value = placed(new Array<SampleSummary | undefined>(window.total), window.offset, window.rows)
    if (window.facets) {
      statusCounts.value = window.facets.counts
      subjects.value = window.facets.subjects
    }
    if (window.current && window.current.row.id === currentSample.value?.id) place(window.current)
    revision.value += 1
    return window.current
  }

  /** Loads the pages of rows `start … end − 1` that are neither loaded nor on their way. */
  function ensureRows(start: number, end: number): void {
    if (datasetId.value === null) return
    const gen = generation
    for (let page = Math.floor(start / PAGE); page * PAGE < Math.min(end, total.value); page++) {
      if (loadingPages.has(page) || rows.value[page * PAGE] !== undefined) continue
      loadingPages.add(page)
      transport
        .invoke('query:samples.window', { filter: listFilter(), viewerId: viewer(), offset: page * PAGE, limit: PAGE })
        .then((window) => {
          if (gen !== generation) return
          loadingPages.delete(page)
          total.value = window.total
          const next = rows.value.slice(0, window.total)
          next.length = window.total
          rows.value = placed(next, window.offset, window.rows)
        })
        .catch((e: unknown) => {
          loadingPages.delete(page)
          error.value = e instanceof Error ? e.message : String(e)
        })
    }
  }

  async function setFilter(next: Omit<SampleFilter, 'datasetId'>): Promise<void> {
    filter.value = next
    await refreshSamples()
  }

  async function selectDataset(id: number): Promise<void> {
    datasetId.value = id
    closeSample()
    await refreshSamples()
  }

  /** Opens a sample; `at` (its row and index, when the caller knows them) places it in the list. */
  async function openSample(id: number, at?: PositionedSample | null): Promise<void> {
    currentSample.value = await transport.invoke('query:sample.get', { sampleId: id })
    if (project.value) localStorage.setItem(lastSampleKey(project.value.path), String(id))
    const loaded = rows.value.findIndex((r) => r?.id === id)
    if (at) place(at)
    else if (loaded >= 0) place({ row: rows.value[loaded]!, index: loaded })
    else {
      const window = await transport.invoke('query:samples.window', { filter: listFilter(), viewerId: viewer(), offset: 0, limit: 1, sampleId: id })
      if (window.current && currentSample.value?.id === id) place(window.current)
    }
  }

  function place(at: PositionedSample): void {
    currentSummary.value = at.row
    currentIndex.value = at.index
  }

  /** J/K: opens the next (or previous) sample of the filtered list, wrapping around. */
  async function openNeighbour(direction: 'next' | 'previous'): Promise<boolean> {
    if (datasetId.value === null) return false
    const { sampleId, at } = await transport.invoke('query:samples.neighbour', {
      fromSampleId: currentSample.value?.id ?? null,
      direction,
      filter: listFilter(),
      viewerId: viewer(),
    })
    if (sampleId === null) return false
    await openSample(sampleId, at)
    return true
  }

  /**
   * Opens the next (or previous) sample the current coder has not coded, within the filters;
   * false when none is left. Without a coder profile yet, every sample is uncoded: the next one.
   */
  async function openNextUncoded(direction: 'next' | 'previous'): Promise<boolean> {
    if (annotatorId.value === null) return openNeighbour(direction)
    const { sampleId, at } = await transport.invoke('query:samples.next-uncoded', {
      annotatorId: annotatorId.value,
      fromSampleId: currentSample.value?.id ?? null,
      direction,
      filter: listFilter(),
    })
    if (sampleId === null) return false
    await openSample(sampleId, at)
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
    rows,
    samples,
    total,
    statusCounts,
    filter,
    subjects,
    currentSample,
    currentSummary,
    currentIndex,
    revision,
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
    ensureRows,
    setFilter,
    selectDataset,
    openSample,
    openNeighbour,
    openNextUncoded,
    frameUrl,
    thumbUrl,
  }
})

function emptyCounts(): StatusCounts {
  return { uncoded: 0, coded: 0, disputed: 0, adjudicated: 0 }
}

/** `list` with `found` written in from `offset`. */
function placed(list: (SampleSummary | undefined)[], offset: number, found: SampleSummary[]): (SampleSummary | undefined)[] {
  found.forEach((row, i) => (list[offset + i] = row))
  return list
}

function readRecent(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]')
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : []
  } catch {
    return []
  }
}
