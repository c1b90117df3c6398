import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ImportProblem } from '@shared/domain/dataset'
import { counted } from '@shared/plural'
import { useTransport } from '../transport'
import { useFilesStore } from './files'
import { useProjectStore } from './project'
import { orAskToReplace, type ReplaceRequest } from './replace-target'
import { trackBusy } from './track-busy'

/** Export and import of coders' codes (CSV, CASME II xlsx, ELAN .eaf) through the back end. */
export const useCodesStore = defineStore('codes', () => {
  const transport = useTransport()
  const busy = ref<string | null>(null)
  const error = ref<string | null>(null)
  const message = ref<string | null>(null)
  const problems = ref<ImportProblem[]>([])

  /** Set while an export waits for "Replace?" (its target exists). */
  const replace = ref<ReplaceRequest | null>(null)

  async function exportCodes(format: 'csv' | 'xlsx' | 'eaf', target: string, datasetId: number | null, overwrite = false): Promise<void> {
    replace.value = null
    await run('Exporting', async () => {
      const result = await orAskToReplace(
        () => transport.invoke('command:codes.export', { format, target, overwrite, ...(datasetId === null ? {} : { datasetId }) }),
        () => (replace.value = { path: target, replace: () => exportCodes(format, target, datasetId, true) }),
      )
      if (!result) return
      message.value = `Exported ${counted(result.rows, 'coding')} to ${result.files.length === 1 ? result.files[0] : counted(result.files.length, 'file')}${result.skipped ? ` (${result.skipped} without onset/offset left out)` : ''}`
    })
  }

  /** In the browser: the export written for download only, handed to the browser's downloads. */
  async function downloadCodes(format: 'csv' | 'xlsx' | 'eaf', datasetId: number | null): Promise<void> {
    replace.value = null
    await run('Exporting', async () => {
      const result = await transport.invoke('command:codes.export', { format, download: true, ...(datasetId === null ? {} : { datasetId }) })
      useFilesStore().download(result.downloads)
      message.value = `Downloading ${counted(result.rows, 'coding')} as ${result.downloads.length === 1 ? result.downloads[0]!.name : counted(result.downloads.length, 'file')}`
    })
  }

  async function importCodes(source: string, datasetId: number | null): Promise<void> {
    await run('Importing', async () => {
      const result = await transport.invoke('command:codes.import', { source, ...(datasetId === null ? {} : { datasetId }) })
      problems.value = result.problems
      message.value = `Imported ${counted(result.imported, 'coding')} (${result.unchanged} unchanged) for ${result.coders.join(', ') || 'no coder'}`
      const project = useProjectStore()
      await project.refreshAnnotators()
      await project.refreshSamples()
    })
  }

  async function run(label: string, work: () => Promise<void>): Promise<void> {
    message.value = null
    problems.value = []
    await trackBusy({ busy, error }, label, null, work)
  }

  return { busy, error, message, problems, replace, exportCodes, downloadCodes, importCodes }
})
