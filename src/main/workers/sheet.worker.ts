/** Entry of the sheet worker thread: runs the tasks of `sheet-tasks.ts`, errors as `{ code, message }`. */
import { parentPort } from 'node:worker_threads'
import { isStudioError } from '@shared/ipc/errors'
import { sheetTasks, type SheetReply, type SheetRequest } from './sheet-tasks'

const port = parentPort
if (!port) throw new Error('sheet.worker must run in a worker thread')

port.on('message', async (msg: SheetRequest) => {
  let reply: SheetReply
  try {
    const task = sheetTasks[msg.task] as ((params: unknown) => Promise<unknown>) | undefined
    if (!task) throw new Error(`unknown sheet task "${String(msg.task)}"`)
    reply = { id: msg.id, value: await task(msg.params) }
  } catch (error) {
    reply = { id: msg.id, error: isStudioError(error) ? error.toShape() : { code: 'internal', message: error instanceof Error ? error.message : String(error) } }
  }
  port.postMessage(reply)
})
