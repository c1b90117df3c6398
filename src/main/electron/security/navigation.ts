/**
 * Navigation guard: the window may only show the app entry (the `app://` scheme in
 * production, the dev server's origin in development). Everything else is blocked.
 */
export function isAllowedNavigation(target: string, appEntry: string): boolean {
  let url: URL
  let entry: URL
  try {
    url = new URL(target)
    entry = new URL(appEntry)
  } catch {
    return false
  }
  return url.protocol === entry.protocol && url.host === entry.host && url.username === '' && url.password === ''
}

/** External links open in the user's browser only when they are plain https URLs. */
export function isAllowedExternalUrl(target: string): boolean {
  try {
    const url = new URL(target)
    return url.protocol === 'https:' && url.username === '' && url.password === ''
  } catch {
    return false
  }
}
