import type { Dirent } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, join, normalize } from 'node:path'
import type { FolderListing, ListedEntry } from '@shared/ipc'
import { StudioError } from '@shared/ipc/errors'
import { isInsideFolder } from '../path-inside'

/** Entries one listing returns at most (a folder of 100 000 frames must not become one 10 MB answer). */
export const MAX_LISTED_ENTRIES = 2000

export interface ListOptions {
  /** Show names starting with a dot. */
  hidden?: boolean
  /** Lower-case extensions with the dot (`.csv`); folders are always listed. Empty: every file. */
  extensions?: readonly string[]
  limit?: number
}

/**
 * The file picker's view of the server's filesystem: folders inside the allowed roots (the user's
 * home, the open project's folders) and nothing else. A listing of the bridge is information
 * disclosure to whoever holds its token, so the same rules as the media route apply: absolute
 * paths only, `..` normalised away before the check, symlinks resolved and checked again (a link
 * that points outside the roots is neither followed nor listed).
 */
export class FolderBrowser {
  constructor(private readonly roots: () => readonly string[]) {}

  /** The allowed roots as real paths (a root that does not exist is left out). */
  async realRoots(): Promise<string[]> {
    const real = await Promise.all(this.roots().map((r) => realpath(r).catch(() => null)))
    return [...new Set(real.filter((r): r is string => r !== null))]
  }

  async list(requested: string | undefined, options: ListOptions = {}): Promise<FolderListing> {
    const roots = await this.realRoots()
    const rootEntries = roots.map((path) => ({ path, label: basename(path) || path }))
    if (requested === undefined) return { path: null, parent: null, roots: rootEntries, entries: [], truncated: false }
    const folder = await resolveInside(requested, roots)
    const facts = await stat(folder)
    if (!facts.isDirectory()) throw new StudioError('invalid-input', `Not a folder: ${requested}`)
    let dirents: Dirent[]
    try {
      dirents = await readdir(folder, { withFileTypes: true })
    } catch (error) {
      throw new StudioError('forbidden-path', `Cannot read ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
    const limit = options.limit ?? MAX_LISTED_ENTRIES
    const extensions = (options.extensions ?? []).map((e) => e.toLowerCase())
    const entries: ListedEntry[] = []
    for (const dirent of dirents) {
      if (!options.hidden && dirent.name.startsWith('.')) continue
      const entry = await describe(folder, dirent, roots)
      if (!entry) continue
      if (entry.kind === 'file' && extensions.length > 0 && !extensions.includes(extname(entry.name).toLowerCase())) continue
      entries.push(entry)
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, undefined, { numeric: true }) : a.kind === 'folder' ? -1 : 1))
    const parent = dirname(folder)
    return {
      path: folder,
      parent: parent !== folder && roots.some((r) => isInsideFolder(r, parent)) ? parent : null,
      roots: rootEntries,
      entries: entries.slice(0, limit),
      truncated: entries.length > limit,
    }
  }

}

function outside(requested: string): StudioError {
  return new StudioError('forbidden-path', `Outside the folders the picker shows (your home folder and the open project's folders): ${requested}`)
}

async function resolveInside(requested: string, roots: readonly string[]): Promise<string> {
  if (requested.includes('\0')) throw new StudioError('forbidden-path', 'Path contains a NUL byte')
  if (!isAbsolute(requested)) throw new StudioError('forbidden-path', `Not an absolute path: ${requested}`)
  const lexical = normalize(requested)
  const inside = (p: string) => roots.some((r) => isInsideFolder(r, p))
  if (!inside(lexical)) throw outside(requested)
  let real: string
  try {
    real = await realpath(lexical)
  } catch {
    throw new StudioError('not-found', `No such folder: ${requested}`)
  }
  if (!inside(real)) throw outside(requested)
  return real
}

/** One entry, links resolved: null when it points outside the roots or nowhere. */
async function describe(folder: string, dirent: Dirent, roots: readonly string[]): Promise<ListedEntry | null> {
  const path = join(folder, dirent.name)
  let target = path
  if (dirent.isSymbolicLink()) {
    const real = await realpath(path).catch(() => null)
    if (real === null || !roots.some((r) => isInsideFolder(r, real))) return null
    target = real
  }
  const facts = dirent.isSymbolicLink() ? await stat(target).catch(() => null) : null
  const isFolder = facts ? facts.isDirectory() : dirent.isDirectory()
  const isFile = facts ? facts.isFile() : dirent.isFile()
  if (!isFolder && !isFile) return null
  if (isFolder) return { name: dirent.name, path, kind: 'folder', size: null }
  const size = (facts ?? (await stat(path).catch(() => null)))?.size ?? null
  return { name: dirent.name, path, kind: 'file', size }
}
