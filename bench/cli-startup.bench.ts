/**
 * `me-studio` start-up as a user meets it: the whole process (node start, module loading, the
 * command, exit) for `--help`, `info` and argument errors, against `node -e 0` itself.
 *
 *   npx electron-vite build && npx tsx bench/cli-startup.bench.ts [--runs 21] [--cli other/bin/me-studio.mjs]
 *
 * Runs are interleaved (every command once per round, `runs` rounds) so that other load on a
 * shared machine slows them alike. Prints per command the median and p90 wall time, the excess
 * over bare node and the ratio to it; `--cli` adds the same rows for another build of the CLI
 * (e.g. a checkout of an older commit) to print before/after side by side. Goal (issue #23):
 * ≤ 150 ms for --help, info and argument errors.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const runs = Number(arg('runs', '21'))
const clis: [string, string][] = [['this', fileURLToPath(new URL('../bin/me-studio.mjs', import.meta.url))]]
const other = arg('cli', '')
if (other) clis.push(['other', resolve(other)])

const CASES: [string, string[]][] = [
  ['--help', ['--help']],
  ['flow --help', ['flow', '--help']],
  ['info', ['info']],
  ['info --json', ['info', '--json']],
  ['unknown command', ['flwo']],
  ['unknown flag', ['flow', '--sise', '112x112', 'a.png', 'b.png']],
  ['missing argument', ['flow', 'a.png']],
  ['predict: wrong argument count', ['predict', 'stray']],
]

interface Row {
  label: string
  argv: string[]
  ms: number[]
}

const rows: Row[] = [{ label: 'node -e 0 (reference)', argv: ['-e', '0'], ms: [] }]
for (const [tag, cli] of clis) for (const [label, args] of CASES) rows.push({ label: clis.length > 1 ? `${tag}: ${label}` : label, argv: [cli, ...args], ms: [] })

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!

const loadBefore = loadavg()[0]!
for (let round = 0; round <= runs; round++) {
  for (const row of rows) {
    const t0 = performance.now()
    const child = spawnSync(process.execPath, row.argv, { cwd: tmpdir(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
    const ms = performance.now() - t0
    if (child.status === null || (child.status === 1 && row.label !== 'node -e 0 (reference)'))
      throw new Error(`${row.label}: exited ${child.status ?? child.signal}: ${child.stderr}`)
    if (round > 0) row.ms.push(ms) // round 0 warms the file cache
  }
}

const node = quantile(rows[0]!.ms, 0.5)
console.log(`whole process, ${runs} interleaved rounds; ${availableParallelism()} cores, load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}; node ${process.version}`)
console.log('command                               median ms   p90 ms   over node ms   × node')
for (const row of rows) {
  const median = quantile(row.ms, 0.5)
  console.log(
    `${row.label.padEnd(36)}  ${median.toFixed(0).padStart(9)}  ${quantile(row.ms, 0.9).toFixed(0).padStart(7)}  ${(median - node).toFixed(0).padStart(13)}  ${(median / node).toFixed(2).padStart(7)}`,
  )
}
