/**
 * Hosts ONNX Runtime sessions in a worker thread behind the `SessionFactory` interface, so the
 * main event loop keeps serving the UI while a model runs (onnxruntime-node's `run` is
 * synchronous on its calling thread). One worker serves every session; ORT's own thread pool
 * does the parallel work inside it. A crashed worker fails its pending calls, marks its sessions
 * closed (the session cache then reopens them), and is replaced on the next open.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ModelSession, OutputTensor, SessionFactory, SessionHost, SessionReply, SessionRequest, ValueInfo } from './inference-protocol'

export interface SessionWorkerLocation {
  workerPath: string
  execArgv?: string[]
}

/**
 * The worker entry for the code running now: the TypeScript source through tsx (vitest, tsx), or
 * the electron-vite build's `out/main/workers/inference.js` (unpacked from app.asar).
 */
export function sessionWorkerLocation(moduleUrl: string = import.meta.url): SessionWorkerLocation {
  const here = dirname(fileURLToPath(moduleUrl))
  if (moduleUrl.endsWith('.ts')) return { workerPath: join(here, 'inference.worker.ts'), execArgv: ['--import', 'tsx'] }
  const candidates = [join(here, 'workers', 'inference.js'), join(here, '..', 'workers', 'inference.js')].map((p) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'))
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`The inference worker is missing (looked for ${candidates.join(', ')}): rebuild with \`npm run build\``)
  return { workerPath: found }
}

type Pending = { resolve: (reply: SessionReply) => void; reject: (error: Error) => void }

/** A request without its `id` (the host numbers them), per request type. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never

export class SessionWorkerHost implements SessionHost {
  private worker: Worker | null = null
  /** Settles when the worker has loaded onnxruntime-node (or is gone): it must not be terminated before. */
  private settled: Promise<void> = Promise.resolve()
  private readonly pending = new Map<number, Pending>()
  private readonly open = new Set<{ closed: boolean }>()
  private nextId = 1

  constructor(private readonly location: SessionWorkerLocation) {}

  readonly factory: SessionFactory = async (modelPath, provider) => {
    const opened = await this.call({ type: 'open', modelPath, provider })
    if (opened.type !== 'opened') throw new Error('unexpected reply to open')
    return this.session(opened.sessionId, opened.inputs, opened.outputs)
  }

  /** Starts the worker now (it loads onnxruntime-node as it starts) rather than with the first session. */
  start(): void {
    this.ensureWorker()
  }

  async dispose(): Promise<void> {
    const worker = this.worker
    if (!worker) return
    this.retire(worker, new Error('the inference worker was stopped'))
    await this.settled
    await worker.terminate()
  }

  private session(sessionId: number, inputs: ValueInfo[], outputs: ValueInfo[]): ModelSession {
    const state = { closed: false }
    this.open.add(state)
    const call = (payload: WithoutId<SessionRequest>) => this.call(payload)
    const forget = () => this.open.delete(state)
    return {
      inputs,
      outputs,
      get closed() {
        return state.closed
      },
      async run(feeds): Promise<Record<string, OutputTensor>> {
        if (state.closed) throw new Error('the inference worker restarted: the session must be reopened')
        const result = await call({ type: 'run', sessionId, feeds })
        if (result.type !== 'result') throw new Error('unexpected reply to run')
        return result.outputs
      },
      async release() {
        if (state.closed) return
        state.closed = true
        forget()
        await call({ type: 'release', sessionId })
      },
    }
  }

  private call(payload: WithoutId<SessionRequest>): Promise<SessionReply> {
    const worker = this.ensureWorker()
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // Inputs are copied, not transferred: callers keep their cached tensors.
      const request: SessionRequest = { ...payload, id }
      worker.postMessage(request)
    })
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(this.location.workerPath, this.location.execArgv ? { execArgv: this.location.execArgv } : {})
    worker.unref()
    this.settled = new Promise((settle) => {
      worker.on('message', (reply: SessionReply) => reply.type === 'ready' && settle())
      worker.once('exit', () => settle())
    })
    worker.on('message', (reply: SessionReply) => {
      if (reply.type === 'ready') return
      const pending = this.pending.get(reply.id)
      if (!pending) return
      this.pending.delete(reply.id)
      if (reply.type === 'error') pending.reject(new Error(reply.message))
      else pending.resolve(reply)
    })
    worker.on('error', (error) => this.retire(worker, error))
    worker.on('exit', (code) => this.retire(worker, new Error(`the inference worker exited (code ${code})`)))
    this.worker = worker
    return worker
  }

  /** The worker is gone: its sessions are closed and its pending calls fail; the next open starts a new one. */
  private retire(worker: Worker, error: Error): void {
    if (this.worker !== worker) return
    this.worker = null
    for (const state of this.open) state.closed = true
    this.open.clear()
    for (const p of this.pending.values()) p.reject(error)
    this.pending.clear()
  }
}
