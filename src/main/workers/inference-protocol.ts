/** The session interface and the messages between the inference service (main side) and its session worker thread. */

/**
 * The narrow view of an ONNX Runtime session the inference service needs, so tests can inject
 * sessions that fail to initialise on a given provider or throw at run time, and the real one
 * (onnxruntime-node) stays behind one factory.
 *
 * `ValueInfo`: input/output metadata as ONNX declares it; symbolic dimensions stay strings.
 */
export interface ValueInfo {
  name: string
  /** Element type (`float32`, `int64`…), or null for non-tensor values. */
  type: string | null
  shape: (number | string)[]
}

export interface OutputTensor {
  type: string
  dims: number[]
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array
}

export interface ModelSession {
  readonly inputs: ValueInfo[]
  readonly outputs: ValueInfo[]
  /** True once the session can no longer run (its host worker was replaced); the cache reopens it. */
  readonly closed?: boolean
  /** Runs off the event loop (onnxruntime-node executes on its own threads). */
  run(feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, OutputTensor>>
  release(): Promise<void>
}

/** Opens `modelPath` with exactly one execution provider (plus ORT's implicit CPU kernels); throws if it cannot initialise. */
export type SessionFactory = (modelPath: string, provider: string) => Promise<ModelSession>

/** Where sessions run: a worker thread (`SessionWorkerHost`) or the calling thread (`inProcessSessions`). */
export interface SessionHost {
  readonly factory: SessionFactory
  /** Loads onnxruntime-node now rather than with the first session. */
  start(): void
  dispose(): Promise<void>
}

/** Messages from the main side to the worker. */
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
