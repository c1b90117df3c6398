/**
 * The CLI's host of the one core: `createStudio({ host: 'cli' })` with the folders the app uses,
 * its notices on stderr. Commands call the same service methods as the IPC handlers; the studio
 * (SQLite, onnxruntime, workers) is imported here, inside a command's `run`, never at start-up.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StudioError } from '@shared/ipc/errors'
import type { StudioOptions } from '../../ipc/context'
import type { Studio } from '../../studio'
import type { CliIo } from '../command'

/** The app's `resources/` (bundled models): ME_STUDIO_RESOURCES, else the first `resources/models` above this module. */
export function resourcesDir(io: CliIo): string {
  if (io.env.ME_STUDIO_RESOURCES) return resolve(io.cwd, io.env.ME_STUDIO_RESOURCES)
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'models'))) return join(dir, 'resources')
    if (dirname(dir) === dir) throw new StudioError('not-found', 'Cannot find the bundled resources folder: set ME_STUDIO_RESOURCES')
  }
}

/** Settings, user models and caches: ME_STUDIO_DATA_DIR, else ~/.me-studio (as the browser bridge). */
export function userDataDir(io: CliIo): string {
  return io.env.ME_STUDIO_DATA_DIR ? resolve(io.cwd, io.env.ME_STUDIO_DATA_DIR) : join(homedir(), '.me-studio')
}

/** Creates the studio for one command run; the caller disposes it. */
export async function openStudio(io: CliIo, options: Partial<Pick<StudioOptions, 'batch' | 'workers'>> = {}): Promise<Studio> {
  const dataDir = userDataDir(io)
  if (!existsSync(dataDir)) {
    // First use: the folder appears now, so this is said once.
    mkdirSync(dataDir, { recursive: true })
    io.stderr(`me-studio keeps added models and caches in ${dataDir} (set ME_STUDIO_DATA_DIR to keep them elsewhere)\n`)
  }
  const { createStudio } = await import('../../studio')
  const studio = createStudio({ host: 'cli', userDataDir: dataDir, resourcesDir: resourcesDir(io), ...options })
  studio.bus.subscribe((channel, payload) => {
    if (channel === 'event:system.notice') io.stderr(`${(payload as { message: string }).message}\n`)
  })
  return studio
}

/** Runs `work` on a fresh studio and disposes it (workers, sessions, the project) whatever happens. */
export async function withStudio<T>(io: CliIo, work: (studio: Studio) => Promise<T>, options: Partial<Pick<StudioOptions, 'batch'>> = {}): Promise<T> {
  const studio = await openStudio(io, options)
  try {
    return await work(studio)
  } finally {
    await studio.dispose()
  }
}
