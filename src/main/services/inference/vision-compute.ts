/**
 * Where input building runs its pixel work: on the vision worker pool in the app (so the main
 * event loop only moves buffers), or on the calling thread in tests and small CLI runs. Both run
 * the same functions: the flow methods' table and the recipe stages.
 */
import type { FlowMethod } from '@shared/ipc/channels/motion'
import type { FlowField, GrayImage } from '../../vision/image'
import { computeFlow } from '../../vision/methods'
import type { VisionPool } from '../../workers/vision-pool'
import {
  assembleTensor,
  buildRecipe,
  prepareClip,
  type AssembleParams,
  type BuildParams,
  type BuiltRecipe,
  type PrepareParams,
  type PreparedClip,
} from '../../vision/recipe/stages'

export interface VisionCompute {
  flow(method: FlowMethod, i0: GrayImage, i1: GrayImage, options: Record<string, unknown>, signal?: AbortSignal): Promise<FlowField>
  prepare(params: PrepareParams, signal?: AbortSignal): Promise<PreparedClip>
  assemble(params: AssembleParams, signal?: AbortSignal): Promise<Float32Array>
  /** prepare → flows (those not `known`) → assemble in one task: a sample none of whose stages is cached. */
  build(params: BuildParams, signal?: AbortSignal): Promise<BuiltRecipe>
  /** Gets ready for work (starts the pool's workers); nothing to do inline. */
  warm?(): void
}

export const inlineVisionCompute: VisionCompute = {
  async flow(method, i0, i1, options, signal) {
    signal?.throwIfAborted()
    return computeFlow(method, i0, i1, options)
  },
  async prepare(params, signal) {
    signal?.throwIfAborted()
    return prepareClip(params)
  },
  async assemble(params, signal) {
    signal?.throwIfAborted()
    return assembleTensor(params)
  },
  async build(params, signal) {
    signal?.throwIfAborted()
    return buildRecipe(params)
  },
}

/**
 * Parameters are copied to the workers (not transferred): frames, prepared clips and flow fields
 * stay in the caches here. Results come back transferred.
 */
export function poolVisionCompute(pool: VisionPool): VisionCompute {
  const options = (signal?: AbortSignal) => (signal ? { signal } : {})
  return {
    flow: (method, i0, i1, flowOptions, signal) => pool.run('flow', { method, i0, i1, options: flowOptions }, options(signal)),
    prepare: (params, signal) => pool.run('recipe-prepare', params, options(signal)),
    assemble: (params, signal) => pool.run('recipe-assemble', params, options(signal)),
    build: (params, signal) => pool.run('recipe-build', params, options(signal)),
    warm: () => pool.warm(),
  }
}
