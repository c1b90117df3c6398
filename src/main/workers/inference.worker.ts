/**
 * Entry of the inference session worker: ONNX Runtime sessions live here, because
 * onnxruntime-node runs `session.run` synchronously on the calling thread (inside a
 * `setImmediate`), which would stall the main event loop for the whole inference. The main side
 * talks to it through `SessionWorkerHost`, which is an ordinary `SessionFactory`.
 */
import { parentPort } from 'node:worker_threads'
import { ortSessionFactory } from '../services/inference/onnx-session'
import type { ModelSession, SessionReply, SessionRequest } from './inference-protocol'

const port = parentPort
if (!port) throw new Error('inference.worker must run in a worker thread')

// Every session needs onnxruntime-node (≈190 ms CPU to load): start loading it with the worker. A
// failure is reported by the session that needs it. The worker says it is ready once the load has
// settled: terminated while onnxruntime-node initialises, a worker aborts the whole process.
void import('onnxruntime-node')
  .catch(() => undefined)
  .then(() => reply({ type: 'ready' }))

const sessions = new Map<number, ModelSession>()
let nextSessionId = 1

function reply(message: SessionReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer)
}

port.on('message', async (msg: SessionRequest) => {
  try {
    switch (msg.type) {
      case 'open': {
        const session = await ortSessionFactory(msg.modelPath, msg.provider)
        const sessionId = nextSessionId++
        sessions.set(sessionId, session)
        reply({ type: 'opened', id: msg.id, sessionId, inputs: session.inputs, outputs: session.outputs })
        return
      }
      case 'run': {
        const session = sessions.get(msg.sessionId)
        if (!session) throw new Error(`session ${msg.sessionId} is not open`)
        const outputs = await session.run(msg.feeds)
        const buffers = Object.values(outputs).map((o) => o.data.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer)
        reply({ type: 'result', id: msg.id, outputs }, [...new Set(buffers)])
        return
      }
      case 'release': {
        await sessions.get(msg.sessionId)?.release()
        sessions.delete(msg.sessionId)
        reply({ type: 'released', id: msg.id })
        return
      }
    }
  } catch (error) {
    reply({ type: 'error', id: msg.id, message: error instanceof Error ? error.message : String(error) })
  }
})

