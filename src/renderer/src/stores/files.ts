import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Download, FolderListing } from '@shared/ipc'
import { useTransport } from '../transport'

/** What the picker returns: a file, a folder, a new file's path in a folder, or a file else the folder shown. */
export type PickMode = 'file' | 'folder' | 'save' | 'any'

const RECENT_KEY = 'me-studio.recent-places'
const MAX_RECENT = 8

function loadRecent(): string[] {
  try {
    const stored = JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown
    return Array.isArray(stored) ? stored.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : []
  } catch {
    return []
  }
}

/** The folder holding `path` (server paths: POSIX or Windows separators). */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return cut <= 0 ? path.slice(0, cut + 1) || path : path.slice(0, cut)
}

/** `name` inside `folder`, with the folder's own separator. */
export function childPath(folder: string, name: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/'
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`
}

/**
 * The server's filesystem as the file picker sees it (listings inside the allowed roots), the
 * places picked recently (kept in this browser), and downloads of exported files: in the browser
 * an export can be downloaded instead of (or as well as) being saved on the server.
 */
export const useFilesStore = defineStore('files', () => {
  const transport = useTransport()
  const recent = ref<string[]>(loadRecent())

  function list(path: string | undefined, extensions: readonly string[], hidden: boolean): Promise<FolderListing> {
    return transport.invoke('query:files.list', { ...(path === undefined ? {} : { path }), extensions: [...extensions], hidden })
  }

  /** Remembers the folder of a picked path, most recent first. */
  function remember(folder: string): void {
    recent.value = [folder, ...recent.value.filter((p) => p !== folder)].slice(0, MAX_RECENT)
    localStorage.setItem(RECENT_KEY, JSON.stringify(recent.value))
  }

  /** The bridge serves `/download/<id>`; Electron writes where the user chose and needs no download. */
  const canDownload = transport.kind === 'bridge'

  /** Hands each exported file to the browser's download manager. */
  function download(downloads: readonly Download[]): void {
    for (const d of downloads) {
      const link = document.createElement('a')
      link.href = d.url
      link.download = d.name
      document.body.append(link)
      link.click()
      link.remove()
    }
  }

  return { recent, list, remember, canDownload, download }
})
