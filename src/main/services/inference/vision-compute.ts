/**
 * Where input building runs its optical flow: on the vision worker pool in the app (so the main
 * event loop never blocks on TV-L1), or on the calling thread in tests and small CLI runs. Both
 * run the same functions, the vision pool's task table.
 */
import type { FlowField, GrayImage } from '../../vision/image'
import type { VisionPool } from '../../workers/vision-pool'
import { visionTasks } from '../../workers/vision-tasks'

export type FlowMethod = 'tvl1' | 'lk' | 'farneback'

export interface VisionCompute {
  flow(method: FlowMethod, i0: GrayImage, i1: GrayImage, options: Record<string, unknown>, signal?: AbortSignal): Promise<FlowField>
}

export const inlineVisionCompute: VisionCompute = {
  flow(method, i0, i1, options, signal) {
    signal?.throwIfAborted()
    const ctx = { progress: () => undefined }
    return Promise.resolve(visionTasks[method]({ i0, i1, options }, ctx))
  },
}

export function poolVisionCompute(pool: VisionPool): VisionCompute {
  return {
    flow(method, i0, i1, options, signal) {
      // Copies go to the worker: the cached frames must stay usable here.
      const params = { i0: { ...i0, data: new Float32Array(i0.data) }, i1: { ...i1, data: new Float32Array(i1.data) }, options }
      return pool.run(method, params, { transfer: [params.i0.data.buffer, params.i1.data.buffer], ...(signal ? { signal } : {}) })
    },
  }
}
