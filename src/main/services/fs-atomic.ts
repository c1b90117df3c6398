import { randomBytes } from 'node:crypto'
import { link, mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { StudioError } from '@shared/ipc/errors'

/** Appends one chunk to the file being written. */
export type ChunkWriter = (chunk: string | Uint8Array) => Promise<void>

export interface AtomicWriteOptions {
  /** Replace an existing file (default true). When false an existing target is never touched: `export/target-exists`. */
  overwrite?: boolean
}

/**
 * Writes `path` atomically: the content goes to a temporary file in the same folder, is fsynced,
 * then renamed over the target. Readers see the old file or the complete new one, never a partial
 * one; if writing fails (or the process dies) the target is untouched and the temporary file is
 * removed (or, after a crash, left as a hidden `.*.tmp` beside it).
 *
 * `content` is either the whole content or a function that streams it chunk by chunk, so large
 * exports never sit in memory. With `overwrite: false` the file is put in place by a hard link,
 * which fails if the target appeared meanwhile (no window between a check and the rename).
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array | ((write: ChunkWriter) => Promise<void>),
  options: AtomicWriteOptions = {},
): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx')
  try {
    const write: ChunkWriter = async (chunk) => {
      await handle.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
    }
    if (typeof content === 'function') await content(write)
    else await write(content)
    await handle.sync()
    await handle.close()
    await moveIntoPlace(temp, path, options)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw error
  }
}

/** The error every export gives for a target it will not replace. */
export function targetExistsError(path: string): StudioError {
  return new StudioError('export/target-exists', `${path} already exists: it is replaced only when asked to (overwrite; on the command line --force)`, { path })
}

/**
 * Renames a finished temporary file (in the target's folder) to `path`. With `overwrite: false`
 * it is hard-linked instead, which fails if the target exists — even one that appeared after an
 * earlier check — and the temporary name is then removed.
 */
export async function moveIntoPlace(temp: string, path: string, options: AtomicWriteOptions = {}): Promise<void> {
  if (options.overwrite !== false) {
    await rename(temp, path)
    return
  }
  try {
    await link(temp, path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw targetExistsError(path)
    // File systems without hard links (FAT, some network shares): check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error
    if (await stat(path).then(() => true, () => false)) throw targetExistsError(path)
    await rename(temp, path)
    return
  }
  await rm(temp, { force: true })
}
