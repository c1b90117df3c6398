// Test fixture: a "vision worker" that dies on its first task, to exercise the pool's crash handling.
import { parentPort } from 'node:worker_threads'

parentPort.on('message', () => process.exit(3))
