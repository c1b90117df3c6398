import { readdir, stat } from 'node:fs/promises'
import { extname } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { targetExistsError } from '../fs-atomic'

/**
 * Where an export may write, checked before any work is done. Exports reach the file system from
 * the bridge, Electron and the CLI alike, so a target is never replaced unless the request says so
 * (`overwrite`; the CLI's `--force`) and a file export writes only its format's extension — a
 * `csv` export cannot land on `~/.bashrc`. The atomic write re-checks at the moment it commits
 * (`writeFileAtomic(…, { overwrite })`), so a file that appears meanwhile is not replaced either.
 */

/** Refuses a file target without one of `extensions` (lower-case, with the dot), a folder, or an existing file unless `overwrite`. */
export async function checkExportFile(path: string, extensions: readonly string[], overwrite: boolean): Promise<void> {
  const ext = extname(path).toLowerCase()
  if (!extensions.includes(ext)) {
    throw new StudioError(
      'invalid-input',
      `${path}: this export writes only ${extensions.join(' or ')} files (the name ${ext ? `ends in ${ext}` : 'has no extension'}); choose a name ending in ${extensions[0]}`,
    )
  }
  const facts = await stat(path).catch(() => null)
  if (!facts) return
  if (!facts.isFile()) throw new StudioError('invalid-input', `${path} is a folder, not a file: choose a file name ending in ${extensions[0]}`)
  if (!overwrite) throw targetExistsError(path)
}

/** A folder target must be new or empty; a non-empty one is written into only when `overwrite` is set. */
export async function checkExportFolder(dir: string, overwrite: boolean): Promise<void> {
  const facts = await stat(dir).catch(() => null)
  if (!facts) return
  if (!facts.isDirectory()) throw new StudioError('invalid-input', `${dir} is a file, not a folder: choose a new or empty folder`)
  if (!overwrite && (await readdir(dir)).length > 0) {
    throw new StudioError('export/target-exists', `${dir} is not empty: choose a new or empty folder, or ask to write into it (overwrite; on the command line --force)`, { path: dir })
  }
}
