import type { App, Shell, WebContents } from 'electron'
import { isAllowedExternalUrl, isAllowedNavigation } from './navigation'

/**
 * Registered on `web-contents-created`: blocks navigation and redirects away from the app
 * entry, denies new windows, and hands https links to the user's browser.
 */
export function guardWebContents(app: App, shell: Shell, appEntry: string): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    const block = (event: { preventDefault(): void }, url: string) => {
      if (!isAllowedNavigation(url, appEntry)) event.preventDefault()
    }
    contents.on('will-navigate', block)
    contents.on('will-redirect', block)
    contents.on('will-attach-webview', (event) => event.preventDefault())
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternalUrl(url)) void shell.openExternal(url)
      return { action: 'deny' }
    })
  })
}
