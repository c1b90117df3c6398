#!/usr/bin/env node
// Enforces the house rules of docs/ARCHITECTURE (runtime boundaries by folder), in CI:
//  1. src/shared is pure TypeScript: no node:*, Node built-ins, electron, vue, pinia, DOM globals.
//  2. src/main/{services,vision,workers,cli,bridge,ipc} never import electron.
//  3. src/renderer never imports from src/main (it talks through the Transport only).
//  4. src/preload imports only electron and src/shared.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))
const importPattern = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g
const domGlobals = /\b(window|document|navigator|localStorage|sessionStorage|HTMLElement|HTMLCanvasElement)\s*[.([]/

function* files(dir) {
  let entries
  try {
    entries = readdirSync(dir)
  } catch {
    return
  }
  for (const entry of entries) {
    const full = join(dir, entry)
    if (statSync(full).isDirectory()) yield* files(full)
    else if (/\.(ts|vue|mts|js|mjs)$/.test(entry) && !/\.d\.ts$/.test(entry)) yield full
  }
}

function imports(source) {
  const found = []
  for (const match of source.matchAll(importPattern)) {
    const typeOnly = Boolean(match[1])
    const spec = match[2] ?? match[3] ?? match[4]
    if (spec) found.push({ spec, typeOnly })
  }
  return found
}

const violations = []
function check(dir, rule) {
  for (const file of files(join(root, dir))) {
    const source = readFileSync(file, 'utf8')
    for (const { spec, typeOnly } of imports(source)) {
      const problem = rule(spec, typeOnly, file)
      if (problem) violations.push(`${relative(root, file)}: imports '${spec}' — ${problem}`)
    }
    if (dir === 'src/shared' && domGlobals.test(source.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ''))) {
      violations.push(`${relative(root, file)}: uses a DOM global — src/shared must run in any host`)
    }
  }
}

const isElectron = (spec) => spec === 'electron' || spec.startsWith('electron/')
const reachesMain = (spec, file) => spec.startsWith('@main/') || (spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(root, 'src/main')))

check('src/shared', (spec, typeOnly) => {
  if (nodeBuiltins.has(spec) || spec.startsWith('node:')) return 'src/shared must not use Node built-ins'
  if (isElectron(spec)) return 'src/shared must not use electron'
  if (!typeOnly && (spec === 'vue' || spec === 'pinia' || spec.startsWith('@vue/'))) return 'src/shared must not use Vue/Pinia'
  return null
})
for (const dir of ['src/main/services', 'src/main/vision', 'src/main/workers', 'src/main/cli', 'src/main/bridge', 'src/main/ipc']) {
  check(dir, (spec, typeOnly) => (isElectron(spec) && !typeOnly ? `${dir} is host-neutral (runs in the CLI, the bridge and tests): no electron` : null))
}
check('src/renderer', (spec, _typeOnly, file) => (reachesMain(spec, file) ? 'the renderer reaches the main side only through the Transport' : null))
check('src/preload', (spec, _typeOnly, file) => {
  if (isElectron(spec) || spec.startsWith('@shared/')) return null
  if (spec.startsWith('.') && resolve(dirname(file), spec).startsWith(join(root, 'src/preload'))) return null
  return 'the preload may import only electron and src/shared'
})

if (violations.length > 0) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`)
  process.exit(1)
}
console.log('Boundary check passed: shared pure, services/vision/workers/cli/bridge free of electron, renderer behind the Transport.')
