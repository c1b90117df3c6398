#!/usr/bin/env node
// Enforces the house rules of docs/ARCHITECTURE (runtime boundaries by folder), in CI:
//  1. src/shared is pure TypeScript: no node:*, Node built-ins, electron, vue, pinia, DOM globals.
//  2. src/main/{services,vision,workers,cli,bridge,ipc} never import electron.
//  3. src/renderer never imports from src/main (it talks through the Transport only).
//  4. src/preload imports only electron and src/shared.
//  5. The Node side imports only downwards: shared < vision < workers < services < ipc < studio.ts <
//     cli, bridge < electron (src/main/index.ts and src/main/electron). Type-only imports count: they
//     are how a circle like studio.ts <-> ipc/handlers starts.
//  6. No import circle anywhere under src/ (files, type-only imports included).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, relative, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

// `--root DIR` checks another tree (the script's own test runs it on small fixture trees).
const rootFlag = process.argv.indexOf('--root')
const root = rootFlag > 0 ? resolve(process.argv[rootFlag + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), '..')
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

// Rule 5: the layer of each Node-side file, lowest first. Worker entry files (`*.worker.ts`) are the
// composition roots of their threads, like src/main/index.ts is of the main process: they sit with the
// services. So does the sheet worker (host, tasks, entry): it runs the services' file readers
// (services/formats, codes exchange) in a thread. Files in no layer fail the check, so a new folder gets a place.
const workerRoot = (f) => /^src\/main\/workers\/([^/]+\.worker\.ts|sheet-[^/]+\.ts)$/.test(f)
const layers = [
  ['shared', (f) => f.startsWith('src/shared/')],
  ['vision', (f) => f.startsWith('src/main/vision/')],
  ['workers', (f) => f.startsWith('src/main/workers/') && !workerRoot(f)],
  ['services', (f) => f.startsWith('src/main/services/') || workerRoot(f)],
  ['ipc', (f) => f.startsWith('src/main/ipc/')],
  ['studio', (f) => f === 'src/main/studio.ts'],
  ['hosts (cli, bridge)', (f) => f.startsWith('src/main/cli/') || f.startsWith('src/main/bridge/') || f === 'src/main/csp.ts' || f === 'src/main/renderer-files.ts'],
  ['electron', (f) => f === 'src/main/index.ts' || f.startsWith('src/main/electron/')],
]
const layerOf = (file) => layers.findIndex(([, test]) => test(file))

/** The project file an import names (relative or @shared/), or null for packages and built-ins. */
function resolveImport(spec, file) {
  let base
  if (spec.startsWith('@shared/')) base = join(root, 'src/shared', spec.slice('@shared/'.length))
  else if (spec.startsWith('.')) base = resolve(dirname(file), spec)
  else return null
  for (const candidate of [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate
  }
  return null
}

/** Import graph of src/ (project files only), for the layer order and the circle search. */
const graph = new Map()
for (const file of files(join(root, 'src'))) {
  if (!/\.(ts|mts)$/.test(file)) continue
  const targets = new Set()
  for (const { spec } of imports(readFileSync(file, 'utf8'))) {
    const target = resolveImport(spec, file)
    if (target) targets.add(target)
  }
  graph.set(file, [...targets])
}

for (const [file, targets] of graph) {
  const from = relative(root, file)
  if (!from.startsWith('src/main/') && !from.startsWith('src/shared/')) continue
  const fromLayer = layerOf(from)
  if (fromLayer < 0) {
    violations.push(`${from}: not in any Node layer — add its folder to the layer list in scripts/check-boundaries.mjs`)
    continue
  }
  for (const target of targets) {
    const to = relative(root, target)
    const toLayer = layerOf(to)
    if (toLayer > fromLayer) violations.push(`${from}: imports '${to}' — ${layers[fromLayer][0]} must not reach up into ${layers[toLayer][0]}`)
  }
}

// Rule 6: strongly connected components (Tarjan, iterative) of more than one file are circles.
{
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  let counter = 0
  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work = [[start, 0]]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]
      const [node, i] = frame
      const next = graph.get(node) ?? []
      if (i < next.length) {
        frame[1]++
        const child = next[i]
        if (!graph.has(child)) continue
        if (!index.has(child)) {
          index.set(child, counter)
          low.set(child, counter++)
          stack.push(child)
          onStack.add(child)
          work.push([child, 0])
        } else if (onStack.has(child)) low.set(node, Math.min(low.get(node), index.get(child)))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1][0]
        low.set(parent, Math.min(low.get(parent), low.get(node)))
      }
      if (low.get(node) === index.get(node)) {
        const component = []
        let member
        do {
          member = stack.pop()
          onStack.delete(member)
          component.push(relative(root, member))
        } while (member !== node)
        if (component.length > 1) violations.push(`import circle of ${component.length} files: ${component.sort().join(' <-> ')}`)
      }
    }
  }
}

if (violations.length > 0) {
  console.error(`Boundary check failed (${violations.length}):\n  ${violations.join('\n  ')}`)
  process.exit(1)
}
console.log('Boundary check passed: shared pure, services/vision/workers/cli/bridge free of electron, renderer behind the Transport, Node layers in order, no import circle.')
