import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { ColormapName } from '@shared/colormaps'
import { FLOW_PARAMS, MAGNIFY_PARAMS, type FaceSummary, type FlowMethod, type FlowSummary, type MagnifyMethod, type MagnifySummary, type SpotSummary } from '@shared/ipc'
import { useTransport } from '../transport'
import { useJobsStore } from './jobs'
import { trackBusy } from './track-busy'

export interface FlowSettings {
  method: FlowMethod
  strainVariant: 'standard' | 'off-tanet'
  /** Longest side the frames are scaled to first; null = native size. */
  maxSide: number | null
}

export interface MagnifySettings {
  method: MagnifyMethod
  alpha: number
  lambdaC: number
  r1: number
  r2: number
}

/** The flow field as float32 u/v pairs, for quiver arrows drawn over the frame. */
export interface FlowFieldData {
  width: number
  height: number
  uv: Float32Array
}

/**
 * Motion views of the open clip: a computed flow (colour wheel, magnitude/strain heatmaps,
 * raw field for arrows) between two frame indices, and a magnified section of the clip.
 * Both are jobs on the main side; a job's result is its summary, whose ids name the media routes of its pixels.
 */
export const useMotionStore = defineStore('motion', () => {
  const transport = useTransport()
  const jobs = useJobsStore()

  // Form defaults are the contract's (the same the CLI and the schemas apply).
  const flowSettings = ref<FlowSettings>({ method: 'tvl1', strainVariant: 'standard', maxSide: FLOW_PARAMS.maxSide.default })
  const magnifySettings = ref<MagnifySettings>({
    method: 'eulerian',
    alpha: MAGNIFY_PARAMS.alpha.default,
    lambdaC: MAGNIFY_PARAMS.lambdaC.default,
    r1: MAGNIFY_PARAMS.r1.default,
    r2: MAGNIFY_PARAMS.r2.default,
  })
  const colormap = ref<ColormapName>('inferno')

  const flow = shallowRef<FlowSummary | null>(null)
  const field = shallowRef<FlowFieldData | null>(null)
  const magnified = shallowRef<MagnifySummary | null>(null)
  const spot = shallowRef<SpotSummary | null>(null)
  const face = shallowRef<FaceSummary | null>(null)
  const busy = ref<'flow' | 'magnify' | 'spot' | 'face' | null>(null)
  const error = ref<string | null>(null)
  const activeJob = ref<string | null>(null)

  /** `from`/`to` are clip indices; `frames` the dataset's frame numbers the job is titled with. */
  async function computeFlow(clipPath: string, from: number, to: number, frames: { from: number; to: number }): Promise<void> {
    await guarded('flow', async () => {
      const summary = await jobs.run(`Optical flow ${frames.from}→${frames.to}`, 'motion.flow', () => started(transport.invoke('command:motion.flow', { clipPath, from, to, ...flowSettings.value })))
      flow.value = summary
      field.value = await loadField(summary.flowId)
    })
  }

  async function magnify(clipPath: string, start: number, count: number): Promise<void> {
    await guarded('magnify', async () => {
      const { method, alpha, lambdaC, r1, r2 } = magnifySettings.value
      magnified.value = await jobs.run(`Magnifying ${count} frames ×${alpha}`, 'motion.magnify', () =>
        started(transport.invoke('command:motion.magnify', { clipPath, start, count, method, alpha, lambdaC, filter: { kind: 'iir', r1, r2 } })),
      )
    })
  }

  /** Motion curve of the whole clip relative to the coded onset (or the first frame), with the suggested apex. */
  async function computeSpot(clipPath: string, frameCount: number, onset: number | null, offset: number | null): Promise<void> {
    await guarded('spot', async () => {
      spot.value = await jobs.run('Spotting the apex', 'motion.spot', () => started(transport.invoke('command:motion.spot', { clipPath, start: 0, count: frameCount, onset, offset })))
    })
  }

  /** Remembers the running job (for cancel); the job's result is the summary, so nothing is asked again. */
  async function started<T extends { jobId: string }>(invoked: Promise<T>): Promise<T> {
    const value = await invoked
    activeJob.value = value.jobId
    return value
  }

  /** Landmarks, AU regions and the aligned crop of one frame. */
  async function detectFace(clipPath: string, index: number, side: number): Promise<void> {
    await guarded('face', async () => {
      face.value = await transport.invoke('query:motion.face', { clipPath, index, side })
    })
  }

  /** One motion computation at a time: its kind shows as busy, its failure as the error. */
  async function guarded(kind: 'flow' | 'magnify' | 'spot' | 'face', work: () => Promise<void>): Promise<void> {
    await trackBusy({ busy, error }, kind, null, work)
    activeJob.value = null
  }

  async function cancel(): Promise<void> {
    if (activeJob.value) await jobs.cancel(activeJob.value)
  }

  function reset(): void {
    flow.value = null
    field.value = null
    magnified.value = null
    spot.value = null
    face.value = null
    error.value = null
  }

  async function loadField(flowId: string): Promise<FlowFieldData> {
    const response = await fetch(transport.mediaUrl(`flow/${flowId}/field.f32`))
    if (!response.ok) throw new Error(`flow field request failed (${response.status})`)
    return { width: Number(response.headers.get('x-flow-width')), height: Number(response.headers.get('x-flow-height')), uv: new Float32Array(await response.arrayBuffer()) }
  }

  const flowUrls = computed(() => {
    const id = flow.value?.flowId
    if (!id) return null
    return {
      color: transport.mediaUrl(`flow/${id}/color.png`),
      legend: transport.mediaUrl(`flow/${id}/legend.png`),
      magnitude: transport.mediaUrl(`flow/${id}/magnitude.png?colormap=${colormap.value}`),
      strain: transport.mediaUrl(`flow/${id}/strain.png?colormap=${colormap.value}`),
    }
  })

  function magnifiedFrameUrl(offset: number): string | null {
    const m = magnified.value
    if (!m || offset < 0 || offset >= m.count) return null
    return transport.mediaUrl(`magnified/${m.magnifyId}/${offset}.png`)
  }

  /** The source frame as PNG, to show under the flow at the same geometry. */
  function frameUrl(clipPath: string, index: number): string {
    return transport.mediaUrl(`frame/${encodeURIComponent(clipPath)}/${index}.png?mode=rgb`)
  }

  const alignedUrl = computed(() => (face.value?.found ? transport.mediaUrl(`aligned/${face.value.faceId}.png`) : null))

  return {
    frameUrl,
    flowSettings,
    magnifySettings,
    colormap,
    flow,
    field,
    magnified,
    spot,
    face,
    busy,
    error,
    computeFlow,
    magnify,
    computeSpot,
    detectFace,
    cancel,
    reset,
    flowUrls,
    magnifiedFrameUrl,
    alignedUrl,
  }
})
