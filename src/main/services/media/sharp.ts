/**
 * sharp, loaded through `require`. Its ES module entry imports its CommonJS dependencies (semver's
 * ≈50 files among them), and Node's ESM loader resolves, reads and lexes every CommonJS file it
 * reaches that way: ≈35 ms more at each start of a command that decodes frames
 * (`bench/cli-startup.bench.ts`, `bench/predict-cli.bench.ts`).
 */
import { createRequire } from 'node:module'
import type Sharp from 'sharp'

const sharp: typeof Sharp = createRequire(import.meta.url)('sharp')
export default sharp
