#!/usr/bin/env node
// The `me-studio` command: runs the built CLI (out/main/cli.js). Build once with `npm run build`.
import { existsSync } from 'node:fs'
import module from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// The native modules (better-sqlite3 13) need Node 22; on Node 20 they crash instead of failing.
const major = Number(process.versions.node.split('.')[0])
if (major < 22) {
  process.stderr.write(
    `me-studio: needs Node 22 or newer (this is Node ${process.versions.node}). Run it as \`npx me-studio …\` in the ME Studio folder (npm puts its bundled Node 22 first), or install Node 22.\n`,
  )
  process.exit(1)
}

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('me-studio: the CLI is not built yet — run `npm run build` in the ME Studio folder first.\n')
  process.exit(1)
}
// The user's own cache folder (services/user-cache.ts resolves the same one; passed on to it here).
process.env.ME_STUDIO_CACHE_DIR ||= join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'me-studio')
// V8's compiled code of the CLI's modules is kept between runs (as Python keeps .pyc files): ≈40 ms
// less start-up on the main thread; set in the environment, the worker threads use it too (Node ≥ 22.1).
// In the user's own cache folder, not the shared temporary one (Node's default), where another local
// user could plant compiled code for these files.
process.env.NODE_COMPILE_CACHE ??= join(process.env.ME_STUDIO_CACHE_DIR, 'node-compile-cache')
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE)
await import(pathToFileURL(cli).href)
