import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { VisionPoolOptions } from './vision-pool'

/** A worker entry: its TypeScript source in this folder, its bundle in `out/main/workers/`, a name for messages. */
export interface WorkerEntry {
  source: string
  built: string
  title: string
}

/**
 * Where a worker entry lives for the code that is running now:
 * - from TypeScript sources (vitest, tsx): the `.ts` source, loaded through tsx;
 * - from the electron-vite build: `out/main/workers/<built>` (this module may sit in `out/main/`
 *   or `out/main/chunks/`), mapped out of `app.asar` since workers cannot load from it.
 */
export function workerLocation(entry: WorkerEntry, moduleUrl: string = import.meta.url): Pick<VisionPoolOptions, 'workerPath' | 'execArgv'> {
  const here = dirname(fileURLToPath(moduleUrl))
  if (moduleUrl.endsWith('.ts')) return { workerPath: join(here, entry.source), execArgv: ['--import', 'tsx'] }
  const candidates = [join(here, 'workers', entry.built), join(here, '..', 'workers', entry.built)].map((p) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'))
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`The ${entry.title} worker is missing (looked for ${candidates.join(', ')}): rebuild with \`npm run build\``)
  return { workerPath: found }
}

export function visionWorkerLocation(moduleUrl: string = import.meta.url): Pick<VisionPoolOptions, 'workerPath' | 'execArgv'> {
  return workerLocation({ source: 'vision.worker.ts', built: 'vision.js', title: 'vision' }, moduleUrl)
}
