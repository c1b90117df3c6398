import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import type { Download } from '@shared/ipc'
import { StudioError } from '@shared/ipc/errors'

/** How long an offered download stays valid. */
const DOWNLOAD_TTL_MS = 15 * 60 * 1000

interface Offered {
  path: string
  name: string
  expires: number
}

/**
 * Files the studio has just written, offered to the browser once each under an unguessable id
 * (`/download/<id>` on the bridge). Only what an export wrote is ever offered: the route cannot be
 * turned into a file reader, and an id works for one download within 15 minutes. Exports made
 * for download only are written into a scratch folder of their own, removed when the studio stops.
 */
export class Downloads {
  private readonly offered = new Map<string, Offered>()
  private scratchRoot: Promise<string> | null = null

  constructor(private readonly now: () => number = Date.now) {}

  offer(path: string): Download {
    this.prune()
    const id = randomBytes(24).toString('base64url')
    const name = basename(path)
    this.offered.set(id, { path, name, expires: this.now() + DOWNLOAD_TTL_MS })
    return { url: `/download/${id}`, name }
  }

  /** The file behind `id`, once: the id is spent by this call. */
  take(id: string): { path: string; name: string } | null {
    this.prune()
    const entry = this.offered.get(id)
    if (!entry) return null
    this.offered.delete(id)
    return { path: entry.path, name: entry.name }
  }

  /**
   * Where an export writes: the target the request gave, else (a download-only export) a path
   * named `name` in a fresh scratch folder.
   */
  async target(target: string | undefined, download: boolean, name: string): Promise<string> {
    if (target !== undefined) return resolve(target)
    if (!download) throw new StudioError('invalid-input', 'Give the path to export to, or ask for a download')
    return this.scratchPath(name)
  }

  /** The downloads of the files an export wrote, when it asked for them. */
  offerAll(files: readonly string[], download: boolean): Download[] {
    return download ? files.map((f) => this.offer(f)) : []
  }

  /** A path named `name` in a fresh scratch folder, for an export that is only downloaded. */
  private async scratchPath(name: string): Promise<string> {
    this.scratchRoot ??= mkdtemp(join(tmpdir(), 'me-studio-downloads-'))
    const folder = await mkdtemp(join(await this.scratchRoot, 'x-'))
    return join(folder, basename(name))
  }

  async dispose(): Promise<void> {
    this.offered.clear()
    if (this.scratchRoot) await rm(await this.scratchRoot, { recursive: true, force: true })
  }

  private prune(): void {
    const now = this.now()
    for (const [id, entry] of this.offered) if (entry.expires < now) this.offered.delete(id)
  }
}
