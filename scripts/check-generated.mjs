#!/usr/bin/env node
// Fails when a committed generated file is stale: runs each generator into a temporary folder and
// compares its output with the committed file byte for byte (CI: `npm run check:generated`).
//  - the TV-L1 WebAssembly kernels (scripts/build-tvl1-wasm.mjs; needs `wat2wasm`, Debian package wabt)
//  - the model card JSON Schema (scripts/export-card-schema.ts, from the zod schema)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const tmp = mkdtempSync(join(tmpdir(), 'me-studio-generated-'))
const bin = (name) => join(root, 'node_modules/.bin', name)

const generators = [
  {
    command: 'node scripts/build-tvl1-wasm.mjs',
    run: () => execFileSync(process.execPath, [join(root, 'scripts/build-tvl1-wasm.mjs'), '--out', tmp], { stdio: 'pipe' }),
    files: [
      ['src/main/vision/wasm/tvl1-kernels.wat', 'tvl1-kernels.wat'],
      ['src/main/vision/wasm/tvl1-kernels.ts', 'tvl1-kernels.ts'],
    ],
  },
  {
    command: 'npx tsx scripts/export-card-schema.ts',
    run: () => execFileSync(bin('tsx'), [join(root, 'scripts/export-card-schema.ts'), '--out', join(tmp, 'model_card.schema.json')], { stdio: 'pipe' }),
    files: [['models/model_card.schema.json', 'model_card.schema.json']],
  },
]

const stale = []
try {
  for (const generator of generators) {
    try {
      generator.run()
    } catch (error) {
      const output = `${error.stderr ?? ''}${error.stdout ?? ''}`.trim() || error.message
      console.error(`Generator failed: ${generator.command}\n${output}`)
      process.exit(1)
    }
    for (const [committed, generated] of generator.files) {
      let current
      try {
        current = readFileSync(join(root, committed))
      } catch {
        current = null
      }
      if (!current || !current.equals(readFileSync(join(tmp, generated)))) stale.push(`${committed} (regenerate: ${generator.command})`)
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true })
}

if (stale.length > 0) {
  console.error(`Generated files differ from what their generators write now (${stale.length}):\n  ${stale.join('\n  ')}`)
  process.exit(1)
}
console.log(`Generated files are fresh: ${generators.flatMap((g) => g.files.map(([committed]) => committed)).join(', ')}.`)
