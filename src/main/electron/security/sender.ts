import { isAllowedNavigation } from './navigation'

/** The minimal shape of an IPC sender frame (Electron's WebFrameMain). */
export interface SenderFrameLike {
  url: string
  parent: unknown
}

/**
 * Every IPC call is checked once, in the binder: it must come from a top-level frame
 * showing the app entry. A compromised iframe or a navigated page gets nothing.
 */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, appEntry: string): boolean {
  if (!frame) return false
  if (frame.parent !== null) return false
  return isAllowedNavigation(frame.url, appEntry)
}
