/**
 * Entry of a vision worker thread: runs tasks from the table in `vision-tasks.ts`, one at a time,
 * posting progress and transferring (not copying) the result's buffers back.
 */
import { parentPort } from 'node:worker_threads'
import { warmUpRecipe } from '../vision/recipe/warm-up'
import type { VisionRequest, VisionResponse } from './vision-protocol'
import { collectTransferables, visionTasks } from './vision-tasks'

const port = parentPort
if (!port) throw new Error('vision.worker must run in a worker thread')

function post(message: VisionResponse, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

port.on('message', async (msg: VisionRequest) => {
  if (msg.type !== 'run') return
  const { id } = msg
  try {
    const task = visionTasks[msg.task] as ((params: unknown, ctx: { progress(d: number, t: number): void }) => unknown) | undefined
    if (!task) throw new Error(`unknown vision task "${String(msg.task)}"`)
    const progress = msg.progress ? (done: number, total: number) => post({ type: 'progress', id, done, total }) : () => undefined
    const value = await task(msg.params, { progress })
    post({ type: 'result', id, value }, collectTransferables(value))
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err))
    post({ type: 'error', id, error: { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) } })
  }
})

post({ type: 'ready' })
// While the first task is on its way (its frames are still being decoded): see warm-up.ts.
setImmediate(() => {
  try {
    warmUpRecipe()
  } catch {
    // Only a head start: a real task that hits the same fault reports it.
  }
})
