import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { VisionPoolOptions } from './vision-pool'

/**
 * Where the vision worker entry lives for the code that is running now:
 * - from TypeScript sources (vitest, tsx): `vision.worker.ts`, loaded through tsx;
 * - from the electron-vite build: `out/main/workers/vision.js` (this module may sit in
 *   `out/main/` or `out/main/chunks/`), mapped out of `app.asar` since workers cannot load from it.
 */
export function visionWorkerLocation(moduleUrl: string = import.meta.url): Pick<VisionPoolOptions, 'workerPath' | 'execArgv'> {
  const here = dirname(fileURLToPath(moduleUrl))
  if (moduleUrl.endsWith('.ts')) return { workerPath: join(here, 'vision.worker.ts'), execArgv: ['--import', 'tsx'] }
  const candidates = [join(here, 'workers', 'vision.js'), join(here, '..', 'workers', 'vision.js')].map((p) =>
    p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'),
  )
  const found = candidates.find((p) => existsSync(p))
  if (!found) throw new Error(`The vision worker is missing (looked for ${candidates.join(', ')}): rebuild with \`npm run build\``)
  return { workerPath: found }
}
