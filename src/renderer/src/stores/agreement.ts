import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { OutputOf } from '@shared/ipc'
import { useTransport } from '../transport'
import { trackBusy } from './track-busy'

export type AgreementReport = OutputOf<'query:agreement.report'>
export type PairAgreement = AgreementReport['pairs'][number]

/** The inter-coder agreement report of the open dataset, computed by the back end. */
export const useAgreementStore = defineStore('agreement', () => {
  const transport = useTransport()
  // Replaced whole on each load: no deep reactivity over thousands of disagreement rows.
  const report = shallowRef<AgreementReport | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function load(datasetId: number | null): Promise<void> {
    await trackBusy({ busy: loading, error }, true, false, async () => {
      report.value = await transport.invoke('query:agreement.report', datasetId === null ? {} : { datasetId })
    })
  }

  return { report, loading, error, load }
})
