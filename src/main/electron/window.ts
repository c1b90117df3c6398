import type { BrowserWindow as BrowserWindowType } from 'electron'
import { secureWebPreferences } from './security/web-preferences'

export interface MainWindowOptions {
  BrowserWindow: typeof BrowserWindowType
  preloadPath: string
  entryUrl: string
}

export function createMainWindow({ BrowserWindow, preloadPath, entryUrl }: MainWindowOptions): BrowserWindowType {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'ME Studio',
    backgroundColor: '#16181d',
    webPreferences: secureWebPreferences(preloadPath),
  })
  window.once('ready-to-show', () => window.show())
  void window.loadURL(entryUrl)
  return window
}
