/** Messages between the vision pool (main side) and its workers. */
import type { VisionTaskName } from './vision-tasks'

export interface VisionRequest {
  type: 'run'
  id: number
  task: VisionTaskName
  params: unknown
  /** Whether the caller listens to progress: when not, the worker posts none (a flow would post one per warp). */
  progress: boolean
}

export type VisionResponse =
  | { type: 'ready' }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string; stack?: string } }
