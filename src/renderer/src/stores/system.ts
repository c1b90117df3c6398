import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { SystemInfo } from '@shared/ipc'
import { useTransport } from '../transport'

/** Facts about the compute backend, shown in the status bar. */
export const useSystemStore = defineStore('system', () => {
  const transport = useTransport()
  const info = ref<SystemInfo | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)

  async function refresh(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      info.value = await transport.invoke('query:system.info', {})
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  const ffmpegLabel = computed(() => {
    const ffmpeg = info.value?.ffmpeg
    if (!ffmpeg) return '…'
    return ffmpeg.found ? `ffmpeg ${ffmpeg.version} (${ffmpeg.source})` : 'ffmpeg not found'
  })

  const ffmpegDetail = computed(() => {
    const ffmpeg = info.value?.ffmpeg
    if (!ffmpeg) return ''
    return ffmpeg.found ? ffmpeg.path : ffmpeg.message
  })

  /** Only providers a prediction really ran on: a bundled one may still fail to start, or be pinned for a model. */
  const providersLabel = computed(() => {
    if (!info.value) return '…'
    const ran = info.value.onnxruntime.ran
    return ran.length ? ran.join(' · ') : 'none ran yet'
  })

  const providersDetail = computed(() => {
    const bundled = (info.value?.onnxruntime.providers ?? []).filter((p) => p.bundled).map((p) => p.name)
    return `onnxruntime ${info.value?.onnxruntime.version ?? ''}; bundled: ${bundled.join(', ')}. A provider is listed once a prediction has run on it.`
  })

  /** Refreshes when a prediction ran on a provider not listed yet. */
  function noteProviderRan(provider: string): void {
    if (info.value && !info.value.onnxruntime.ran.includes(provider)) void refresh()
  }

  return { info, error, loading, refresh, ffmpegLabel, ffmpegDetail, providersLabel, providersDetail, noteProviderRan, transportKind: transport.kind }
})
