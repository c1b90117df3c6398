import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { annotationFields, type AnnotationFields } from '@shared/domain/annotation'
import { CODING_SOURCE_ORDER as ORDER, type CodingSource } from '@shared/domain/coding-source'
import { useTransport } from '../transport'
import { useAnnotationStore } from './annotation'
import { useProjectStore } from './project'

export { CODING_SOURCE_LABELS, type CodingSource } from '@shared/domain/coding-source'

/**
 * Which coding of the open sample Inspect and Motion take their frames (and AUs, class) from:
 * the adjudicated coding when there is one, else the current coder's own, else the dataset's
 * labels — or the one the user picked. Only codings with an onset are offered.
 */
export const useReferenceCodingStore = defineStore('reference-coding', () => {
  const transport = useTransport()
  const project = useProjectStore()
  const annotation = useAnnotationStore()
  const adjudicated = ref<AnnotationFields | null>(null)
  /** The user's pick; null follows the preference order. */
  const choice = ref<CodingSource | null>(null)

  const candidates = computed<Partial<Record<CodingSource, AnnotationFields>>>(() => {
    const own = annotation.scope && !annotation.scope.adjudicated ? annotation.fields : null
    const all: Record<CodingSource, AnnotationFields | null> = { adjudicated: adjudicated.value, mine: own, dataset: project.currentSummary?.datasetLabel ?? null }
    return Object.fromEntries(ORDER.filter((s) => all[s]?.onset != null).map((s) => [s, all[s]!]))
  })
  const available = computed(() => ORDER.filter((s) => candidates.value[s]))
  const source = computed<CodingSource | null>(() => (choice.value && candidates.value[choice.value] ? choice.value : (available.value[0] ?? null)))
  const fields = computed<AnnotationFields | null>(() => (source.value ? candidates.value[source.value]! : null))

  let generation = 0
  async function load(): Promise<void> {
    const mine = ++generation
    adjudicated.value = null
    const sampleId = project.currentSample?.id
    const viewerId = annotation.scope?.annotatorId
    if (sampleId === undefined || viewerId === undefined) return
    const coding = await transport.invoke('query:annotation.get', { sampleId, viewerId }).catch(() => null)
    const found = coding?.visible.find((a) => a.adjudicated)
    if (mine === generation) adjudicated.value = found ? annotationFields(found) : null
  }

  watch(() => [project.currentSample?.id, annotation.scope?.annotatorId] as const, () => {
    choice.value = null
    void load()
  }, { immediate: true })
  transport.on('event:annotation.changed', (e) => {
    if (e.adjudicated && e.sampleId === project.currentSample?.id) void load()
  })

  return { choice, available, source, fields, load }
})
