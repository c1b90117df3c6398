import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Annotation } from '@shared/domain/annotation'
import { useTransport } from '../transport'

/** Every coding of the open sample the viewer may see, for the adjudication view's side-by-side. */
export const useAdjudicationStore = defineStore('adjudication', () => {
  const transport = useTransport()
  const codings = ref<Annotation[]>([])
  const error = ref<string | null>(null)

  async function load(sampleId: number, viewerId: number): Promise<void> {
    error.value = null
    try {
      const coding = await transport.invoke('query:annotation.get', { sampleId, viewerId })
      codings.value = coding.visible.filter((a) => !a.adjudicated)
    } catch (e) {
      error.value = (e as Error).message
    }
  }

  return { codings, error, load }
})
