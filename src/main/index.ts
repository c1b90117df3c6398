import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron'
import { bindIpc } from './electron/ipc-binder'
import { APP_ENTRY, PRIVILEGED_SCHEMES, handleAppScheme, handleMediaScheme } from './electron/protocols'
import { denyAllPermissions } from './electron/security/permissions'
import { guardWebContents } from './electron/security/web-contents'
import { createMainWindow } from './electron/window'
import { createStudio } from './studio'

// Composition root of the desktop app: wires Electron to the host-neutral studio; computes nothing.
const here = dirname(fileURLToPath(import.meta.url))
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES)

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const entryUrl = devServerUrl ?? APP_ENTRY
guardWebContents(app, shell, entryUrl)

if (!app.requestSingleInstanceLock()) app.quit()

void app.whenReady().then(() => {
  const userDataDir = app.getPath('userData')
  mkdirSync(userDataDir, { recursive: true })
  const resourcesDir = app.isPackaged ? join(process.resourcesPath, 'resources') : join(app.getAppPath(), 'resources')
  const studio = createStudio({ host: 'electron', userDataDir, resourcesDir, ffmpegPath: process.env.ME_STUDIO_FFMPEG })

  denyAllPermissions(session.defaultSession)
  handleAppScheme(protocol, join(here, '../renderer'))
  handleMediaScheme(protocol, studio.media, entryUrl)
  bindIpc(ipcMain, studio.registry, studio.bus, entryUrl, () => BrowserWindow.getAllWindows().map((w) => w.webContents))

  const open = () => createMainWindow({ BrowserWindow, preloadPath: join(here, '../preload/index.cjs'), entryUrl })
  open()
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('before-quit', () => void studio.dispose())
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
