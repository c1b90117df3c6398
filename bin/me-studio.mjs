#!/usr/bin/env node
// The `me-studio` command: runs the built CLI (out/main/cli.js). Build once with `npm run build`.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url))
if (!existsSync(cli)) {
  process.stderr.write('me-studio: the CLI is not built yet — run `npm run build` in the ME Studio folder first.\n')
  process.exit(1)
}
await import(pathToFileURL(cli).href)
