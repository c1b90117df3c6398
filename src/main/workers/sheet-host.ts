/**
 * Runs sheet tasks (`sheet-tasks.ts`) in a worker thread, started on first use and ended as soon
 * as no call is pending: sheets are read a few times per import, and a parked worker would keep
 * the last file's heap (≈100 MB after 10,000 codings) for the life of the process, where a new
 * one costs ≈0.3 s. Its heap is capped: a file that would need more fails its own call with
 * `sheet/too-large`, and the process that serves the UI is untouched.
 */
import { Worker } from 'node:worker_threads'
import { ERROR_CODES, StudioError, type ErrorCode } from '@shared/ipc/errors'
import type { SheetReply, SheetRequest, SheetTaskName, SheetTaskParams, SheetTaskResult } from './sheet-tasks'
import { workerLocation } from './vision-worker-location'

/** Heap of the worker: what the largest file within the sheet limits needs, with room. */
const SHEET_WORKER_HEAP_MB = 512

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }

let worker: Worker | null = null
const pending = new Map<number, Pending>()
let nextId = 1

export function runSheetTask<N extends SheetTaskName>(task: N, params: SheetTaskParams<N>): Promise<SheetTaskResult<N>> {
  const current = worker ?? start()
  const id = nextId++
  return new Promise<SheetTaskResult<N>>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
    const request: SheetRequest = { id, task, params }
    current.postMessage(request)
  })
}

function start(): Worker {
  const { workerPath, execArgv } = workerLocation({ source: 'sheet.worker.ts', built: 'sheets.js', title: 'sheet' })
  const started = new Worker(workerPath, { ...(execArgv ? { execArgv } : {}), resourceLimits: { maxOldGenerationSizeMb: SHEET_WORKER_HEAP_MB } })
  started.on('message', (reply: SheetReply) => {
    const call = pending.get(reply.id)
    if (!call) return
    pending.delete(reply.id)
    if (pending.size === 0) {
      worker = null
      void started.terminate()
    }
    if ('error' in reply) {
      const code = (ERROR_CODES as readonly string[]).includes(reply.error.code) ? (reply.error.code as ErrorCode) : 'internal'
      call.reject(new StudioError(code, reply.error.message))
    } else call.resolve(reply.value)
  })
  const retire = (error: StudioError) => {
    if (worker !== started) return
    worker = null
    for (const call of pending.values()) call.reject(error)
    pending.clear()
  }
  started.on('error', (error) =>
    retire(
      /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(`${(error as NodeJS.ErrnoException).code ?? ''} ${error.message}`)
        ? new StudioError('sheet/too-large', `The file needs more than the sheet reader's ${SHEET_WORKER_HEAP_MB} MB of memory (the limit)`)
        : new StudioError('internal', `The sheet reader crashed: ${error.message}`),
    ),
  )
  started.on('exit', (code) => retire(new StudioError('internal', `The sheet reader exited (code ${code})`)))
  worker = started
  return started
}
