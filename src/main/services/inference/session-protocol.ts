/** Messages between the inference service (main side) and its session worker thread. */
import type { OutputTensor, ValueInfo } from './session'

export type SessionRequest =
  | { type: 'open'; id: number; modelPath: string; provider: string }
  | { type: 'run'; id: number; sessionId: number; feeds: Record<string, { data: Float32Array; dims: number[] }> }
  | { type: 'release'; id: number; sessionId: number }

export type SessionReply =
  | { type: 'ready' }
  | { type: 'opened'; id: number; sessionId: number; inputs: ValueInfo[]; outputs: ValueInfo[] }
  | { type: 'result'; id: number; outputs: Record<string, OutputTensor> }
  | { type: 'released'; id: number }
  | { type: 'error'; id: number; message: string }
