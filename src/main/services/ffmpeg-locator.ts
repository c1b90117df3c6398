import { existsSync } from 'node:fs'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { delimiter, dirname, join } from 'node:path'
import type { FfmpegInfo } from '@shared/ipc'
import { StudioError } from '@shared/ipc/errors'
import { userCacheDir } from './user-cache'

export interface FfmpegLocatorOptions {
  /** Path chosen in the studio's settings (highest priority). */
  setting?: string | undefined
  env?: NodeJS.ProcessEnv
  /** Resolves an npm package's export; injectable so tests can simulate absent packages. */
  requirePackage?: (name: string) => unknown
  exists?: (path: string) => boolean
  probeVersion?: (path: string) => Promise<string>
}

/** A place to look; `path` is only worked out when the places before it failed (scanning PATH, loading a package). */
type Candidate = { source: Extract<FfmpegInfo, { found: true }>['source']; path: () => string | undefined; label: string }

/**
 * Finds ffmpeg in a fixed order: explicit setting → `FFMPEG_PATH` env → ffmpeg-static
 * (optional dependency: absent where its download failed) → @ffmpeg-installer/ffmpeg
 * (binary shipped inside the npm package) → `ffmpeg` on PATH.
 */
export async function locateFfmpeg(options: FfmpegLocatorOptions = {}): Promise<FfmpegInfo> {
  const env = options.env ?? process.env
  const exists = options.exists ?? existsSync
  const requirePackage = options.requirePackage ?? createRequire(import.meta.url)
  const probe = options.probeVersion ?? cachedFfmpegVersion

  const candidates: Candidate[] = [
    { source: 'setting', path: () => options.setting, label: 'studio setting' },
    { source: 'env', path: () => env.FFMPEG_PATH, label: 'FFMPEG_PATH' },
    { source: 'ffmpeg-static', path: () => packagePath(requirePackage, 'ffmpeg-static', (m) => m as string), label: 'ffmpeg-static' },
    {
      source: '@ffmpeg-installer/ffmpeg',
      path: () => packagePath(requirePackage, '@ffmpeg-installer/ffmpeg', (m) => (m as { path: string }).path),
      label: '@ffmpeg-installer/ffmpeg',
    },
    { source: 'path', path: () => findOnPath('ffmpeg', env, exists), label: 'ffmpeg on PATH' },
  ]

  const tried: string[] = []
  for (const candidate of candidates) {
    const found = candidate.path()
    if (!found) {
      tried.push(`${candidate.label}: not set or not installed`)
      continue
    }
    // Electron packs node_modules into app.asar; the binary itself lives in app.asar.unpacked.
    const path = found.replace(`app.asar${sepOf(found)}`, `app.asar.unpacked${sepOf(found)}`)
    if (!exists(path)) {
      tried.push(`${candidate.label}: ${path} does not exist`)
      continue
    }
    try {
      return { found: true, source: candidate.source, path, version: await probe(path) }
    } catch (error) {
      tried.push(`${candidate.label}: ${path} did not run (${(error as Error).message})`)
    }
  }
  return {
    found: false,
    tried,
    message: `ffmpeg was not found. Tried: ${tried.join('; ')}. Install ffmpeg (e.g. apt-get install ffmpeg) or set FFMPEG_PATH.`,
  }
}

/** Like `locateFfmpeg` but throws `media/ffmpeg-missing` naming every place tried. */
export async function requireFfmpeg(options?: FfmpegLocatorOptions): Promise<string> {
  const info = await locateFfmpeg(options)
  if (!info.found) throw new StudioError('media/ffmpeg-missing', info.message, { tried: info.tried })
  return info.path
}

/** Versions kept in the cache file (one per ffmpeg binary met; the oldest go first). */
const MAX_CACHED_VERSIONS = 16

/**
 * `probeFfmpegVersion`, remembered per binary: a Debian ffmpeg links ≈100 shared libraries and
 * takes ≈100 ms to print its version, the larger part of `me-studio info`. The key is the binary's
 * path, size, inode and change times, so a replaced or upgraded binary is probed again. The cache
 * (`ffmpeg-versions.json` in the user's cache folder) is best effort: unreadable, malformed or
 * unwritable, it is probed as if absent.
 */
export async function cachedFfmpegVersion(path: string, cacheFile = join(userCacheDir(), 'ffmpeg-versions.json')): Promise<string> {
  const s = await stat(path)
  const key = [path, s.size, s.ino, s.mtimeMs, s.ctimeMs].join('|')
  let cached: Record<string, unknown> = {}
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'))
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) cached = parsed as Record<string, unknown>
  } catch {
    // absent or unreadable: probe
  }
  const known = cached[key]
  if (typeof known === 'string' && /^[\w.+~:-]{1,64}$/.test(known)) return known
  const version = await probeFfmpegVersion(path)
  const kept = Object.entries(cached).filter(([k, v]) => k !== key && typeof v === 'string').slice(-(MAX_CACHED_VERSIONS - 1))
  // Written whole, then renamed (no fsync: a lost cache is only probed again).
  const temp = `${cacheFile}.${process.pid}.tmp`
  await mkdir(dirname(cacheFile), { recursive: true })
    .then(() => writeFile(temp, JSON.stringify(Object.fromEntries([...kept, [key, version]]))))
    .then(() => rename(temp, cacheFile))
    .catch(() => undefined)
  return version
}

export async function probeFfmpegVersion(path: string): Promise<string> {
  // Loaded here: `me-studio info` finds the version in the cache and never starts a process.
  const { execFile } = await import('node:child_process')
  return new Promise((resolve, reject) => {
    execFile(path, ['-hide_banner', '-version'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(error)
      const match = /ffmpeg version (\S+)/.exec(stdout)
      resolve(match?.[1] ?? stdout.split('\n')[0] ?? 'unknown')
    })
  })
}

function packagePath(requirePackage: (name: string) => unknown, name: string, pick: (mod: unknown) => string): string | undefined {
  try {
    return pick(requirePackage(name)) || undefined
  } catch {
    return undefined
  }
}

function findOnPath(binary: string, env: NodeJS.ProcessEnv, exists: (p: string) => boolean): string | undefined {
  const names = process.platform === 'win32' ? [`${binary}.exe`] : [binary]
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const full = join(dir, name)
      if (exists(full)) return full
    }
  }
  return undefined
}

function sepOf(path: string): string {
  return path.includes('\\') && !path.includes('/') ? '\\' : '/'
}
