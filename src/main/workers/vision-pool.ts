/**
 * A pool of worker threads running the vision tasks of `vision-tasks.ts`.
 *
 * - sized to the cores (`os.availableParallelism()`) unless told otherwise; workers start lazily;
 * - typed `run(name, params)` → result, with progress callbacks;
 * - transfer, not copy: buffers listed in `transfer` move to the worker, result buffers move back;
 * - cancellation by `AbortSignal`: a queued task is dropped, a running one has its worker
 *   terminated (JS cannot interrupt a tight loop otherwise) and replaced;
 * - a worker that crashes (uncaught error, exit, out of memory) fails its task with
 *   `VisionWorkerCrashError` and is replaced for the next task;
 * - idle workers are unref'd, so a CLI process exits when no task is pending even if the pool
 *   was not destroyed;
 * - tasks that load a large model into their worker (`ONE_WORKER_TASKS`) all run on one worker.
 *
 * The worker entry is injected (`workerPath`): the built `out/main/workers/vision.js` in the app,
 * the TypeScript source with `execArgv: ['--import', 'tsx']` under vitest.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { VisionRequest, VisionResponse } from './vision-protocol'
import type { VisionTaskName, VisionTaskParams, VisionTaskResult } from './vision-tasks'

export interface VisionPoolOptions {
  /** Path or file URL of the worker entry script. */
  workerPath: string | URL
  /** Number of worker threads; defaults to the available cores. */
  size?: number
  /** Node flags for the workers (e.g. `['--import', 'tsx']` to run the TypeScript entry). */
  execArgv?: string[]
  /** Per-worker V8 heap limit in MB (`resourceLimits.maxOldGenerationSizeMb`). */
  maxHeapMb?: number
}

export interface RunOptions {
  /** Buffers of `params` to move to the worker instead of copying (they become detached here). */
  transfer?: ArrayBuffer[]
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

/** The task threw inside the worker; `remoteName`/`remoteStack` keep the original error. */
export class VisionTaskError extends Error {
  constructor(
    message: string,
    readonly remoteName: string,
    readonly remoteStack?: string,
  ) {
    super(message)
    this.name = 'VisionTaskError'
  }
}

/** The worker running the task died (crash, exit or out-of-memory). */
export class VisionWorkerCrashError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'VisionWorkerCrashError'
  }
}

interface Job {
  id: number
  request: VisionRequest
  transfer: ArrayBuffer[]
  resolve: (value: unknown) => void
  reject: (reason: unknown) => void
  onProgress: ((done: number, total: number) => void) | undefined
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

interface Slot {
  worker: Worker
  job: Job | undefined
  /** This worker runs the pool's `ONE_WORKER_TASKS` (and other tasks when no other worker is free). */
  owner: boolean
}

/**
 * Tasks that load a large model into the worker running them: face-api's nets on tfjs-wasm add
 * about 160 MB to a worker, so one worker of the pool runs them all and the model is held once.
 */
const ONE_WORKER_TASKS: ReadonlySet<VisionTaskName> = new Set(['faces'])

export class VisionPool {
  readonly size: number
  private readonly options: VisionPoolOptions
  private readonly slots: Slot[] = []
  private readonly queue: Job[] = []
  private nextId = 1
  private closed = false
  /** Workers replaced after a crash or a cancellation since the pool was created. */
  restarts = 0

  constructor(options: VisionPoolOptions) {
    this.options = options
    this.size = Math.max(1, options.size ?? availableParallelism())
  }

  /** Tasks waiting for a free worker. */
  get queued(): number {
    return this.queue.length
  }

  /** Tasks running now. */
  get running(): number {
    return this.slots.filter((s) => s.job).length
  }

  run<N extends VisionTaskName>(task: N, params: VisionTaskParams<N>, options: RunOptions = {}): Promise<VisionTaskResult<N>> {
    if (this.closed) return Promise.reject(new Error('VisionPool is destroyed'))
    const { signal } = options
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return new Promise<VisionTaskResult<N>>((resolve, reject) => {
      const id = this.nextId++
      const job: Job = {
        id,
        request: { type: 'run', id, task, params, progress: options.onProgress !== undefined },
        transfer: options.transfer ?? [],
        resolve: resolve as (value: unknown) => void,
        reject,
        onProgress: options.onProgress,
        signal,
        onAbort: undefined,
      }
      if (signal) {
        job.onAbort = () => this.cancel(job)
        signal.addEventListener('abort', job.onAbort, { once: true })
      }
      this.queue.push(job)
      this.dispatch()
    })
  }

  /** Starts the missing workers now rather than with the first tasks (their start-up then overlaps other work). */
  warm(): void {
    while (!this.closed && this.slots.length < this.size) this.spawn()
  }

  /** Terminates all workers; queued and running tasks are rejected. */
  async destroy(): Promise<void> {
    this.closed = true
    const err = new Error('VisionPool is destroyed')
    for (const job of this.queue.splice(0)) this.settle(job, undefined, err)
    const slots = this.slots.splice(0)
    for (const slot of slots) {
      if (slot.job) this.settle(slot.job, undefined, err)
      slot.job = undefined
    }
    await Promise.all(slots.map((s) => s.worker.terminate()))
  }

  private dispatch(): void {
    // In queue order; a one-worker task waiting for its worker does not hold up the tasks behind it.
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i]!
      const slot = this.slotFor(job.request.task)
      if (!slot) {
        i++
        continue
      }
      this.queue.splice(i, 1)
      slot.job = job
      slot.worker.ref()
      try {
        slot.worker.postMessage(job.request, job.transfer)
      } catch (err) {
        slot.job = undefined
        slot.worker.unref()
        this.settle(job, undefined, err)
      }
    }
  }

  /** A free worker for `task` (started when the pool has room), or undefined when it must wait. */
  private slotFor(task: VisionTaskName): Slot | undefined {
    const room = () => (this.slots.length < this.size ? this.spawn() : undefined)
    if (ONE_WORKER_TASKS.has(task)) {
      const owner = this.slots.find((s) => s.owner)
      if (owner) return owner.job ? undefined : owner
      const slot = this.slots.find((s) => !s.job) ?? room()
      if (slot) slot.owner = true
      return slot
    }
    // Other tasks take another free worker before the owner, so the owner's tasks wait less.
    return this.slots.find((s) => !s.job && !s.owner) ?? this.slots.find((s) => !s.job) ?? room()
  }

  private spawn(): Slot {
    const { workerPath, execArgv, maxHeapMb } = this.options
    const worker = new Worker(workerPath, {
      ...(execArgv ? { execArgv } : {}),
      ...(maxHeapMb ? { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } } : {}),
    })
    const slot: Slot = { worker, job: undefined, owner: false }
    this.slots.push(slot)
    worker.unref()
    worker.on('message', (msg: VisionResponse) => this.onMessage(slot, msg))
    worker.on('messageerror', (err) => this.onMessageError(slot, err))
    worker.on('error', (err) => this.onCrash(slot, `vision worker crashed: ${err.message}`))
    worker.on('exit', (code) => this.onCrash(slot, `vision worker exited with code ${code}`))
    return slot
  }

  private onMessage(slot: Slot, msg: VisionResponse): void {
    const job = slot.job
    if (msg.type === 'ready' || !job || msg.id !== job.id) return
    if (msg.type === 'progress') {
      job.onProgress?.(msg.done, msg.total)
      return
    }
    slot.job = undefined
    slot.worker.unref()
    if (msg.type === 'result') this.settle(job, msg.value)
    else this.settle(job, undefined, new VisionTaskError(msg.error.message, msg.error.name, msg.error.stack))
    this.dispatch()
  }

  /** A reply could not be deserialised: fail the task, keep the worker. */
  private onMessageError(slot: Slot, err: Error): void {
    const job = slot.job
    if (!job) return
    slot.job = undefined
    slot.worker.unref()
    this.settle(job, undefined, new VisionTaskError(`could not deserialise the worker's reply: ${err.message}`, err.name))
    this.dispatch()
  }

  /** The worker died: fail its task, forget the worker, start a replacement if work is waiting. */
  private onCrash(slot: Slot, message: string): void {
    const index = this.slots.indexOf(slot)
    if (index < 0) return // already removed (cancelled or destroyed)
    this.slots.splice(index, 1)
    this.restarts++
    const job = slot.job
    slot.job = undefined
    if (job) this.settle(job, undefined, new VisionWorkerCrashError(message))
    void slot.worker.terminate()
    if (!this.closed) this.dispatch()
  }

  private cancel(job: Job): void {
    const queuedAt = this.queue.indexOf(job)
    if (queuedAt >= 0) {
      this.queue.splice(queuedAt, 1)
      this.settle(job, undefined, abortReason(job.signal!))
      return
    }
    const slot = this.slots.find((s) => s.job === job)
    if (!slot) return
    // A running task cannot be interrupted: terminate its worker and replace it.
    this.slots.splice(this.slots.indexOf(slot), 1)
    this.restarts++
    slot.job = undefined
    this.settle(job, undefined, abortReason(job.signal!))
    void slot.worker.terminate()
    this.dispatch()
  }

  private settle(job: Job, value: unknown, error?: unknown): void {
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort)
    if (error !== undefined) job.reject(error)
    else job.resolve(value)
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError')
}
