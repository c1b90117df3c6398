import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Appends one chunk to the file being written. */
export type ChunkWriter = (chunk: string | Uint8Array) => Promise<void>

/**
 * Writes `path` atomically: the content goes to a temporary file in the same folder, is fsynced,
 * then renamed over the target. Readers see the old file or the complete new one, never a partial
 * one; if writing fails (or the process dies) the target is untouched and the temporary file is
 * removed (or, after a crash, left as a hidden `.*.tmp` beside it).
 *
 * `content` is either the whole content or a function that streams it chunk by chunk, so large
 * exports never sit in memory.
 */
export async function writeFileAtomic(path: string, content: string | Uint8Array | ((write: ChunkWriter) => Promise<void>)): Promise<void> {
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
    await rename(temp, path)
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw error
  }
}
