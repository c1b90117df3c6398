import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createStudio } from '../studio'
import { startBridge } from './server'

// `npm run serve`: the studio for a browser on this machine (and the e2e tests' target).
const here = dirname(fileURLToPath(import.meta.url))
const appRoot = resolve(here, '../..')
const userDataDir = process.env.ME_STUDIO_DATA_DIR ?? join(homedir(), '.me-studio')
mkdirSync(userDataDir, { recursive: true })

const studio = createStudio({
  host: 'bridge',
  userDataDir,
  resourcesDir: join(appRoot, 'resources'),
  ffmpegPath: process.env.ME_STUDIO_FFMPEG,
  // Where the browser's file picker may go besides the home folder and the open project (`/data:/mnt/lab`).
  browseRoots: (process.env.ME_STUDIO_BROWSE_ROOTS ?? '').split(delimiter).filter((p) => p !== '').map((p) => resolve(p)),
})
const port = Number(process.env.ME_STUDIO_PORT ?? 0)
const bridge = await startBridge({
  studio,
  rendererDir: join(appRoot, 'out/renderer'),
  port: Number.isInteger(port) ? port : 0,
  ...(process.env.ME_STUDIO_TOKEN ? { token: process.env.ME_STUDIO_TOKEN } : {}),
})
process.stdout.write(`ME Studio is serving on ${bridge.url}\nOpen: ${bridge.launchUrl}\n`)

async function shutdown(): Promise<void> {
  await studio.dispose()
  await bridge.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown())
process.on('SIGTERM', () => void shutdown())
