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

  const providersLabel = computed(() => {
    const providers = info.value?.onnxruntime.providers ?? []
    const usable = providers.filter((p) => p.bundled).map((p) => p.name)
    return usable.length ? usable.join(' · ') : '…'
  })

  return { info, error, loading, refresh, ffmpegLabel, ffmpegDetail, providersLabel, transportKind: transport.kind }
})
