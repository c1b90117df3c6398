import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The user's own cache folder for things that are cheap to lose and dear to recompute at every
 * start (compiled code, probed tool versions): ME_STUDIO_CACHE_DIR, else $XDG_CACHE_HOME/me-studio,
 * else ~/.cache/me-studio. `bin/me-studio.mjs` resolves the same folder (before any of this code
 * loads) for Node's compile cache and passes it on in ME_STUDIO_CACHE_DIR.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ME_STUDIO_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'me-studio')
}
