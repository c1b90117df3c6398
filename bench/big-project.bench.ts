/**
 * The coding path on big projects: generated 1,000 / 5,000 / 20,000-sample projects
 * (`big-project-fixture.ts`: rows inserted through the project service, sharing 4 generated
 * clips), driven through the handler registry as the UI drives it, each answer serialised to
 * JSON as the bridge and Electron do. Per interaction: median latency and the bytes that cross
 * the contract (answers plus the events the edit emits plus what the renderer then fetches).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/big-project.bench.ts [--sizes 1000,5000,20000] [--before /work/main]
 *
 * `--before <checkout>` runs the same interactions on another checkout's code first (in a child
 * process with that checkout's tsconfig, so its own contract and services answer) and prints
 * before / after / ratio. A checkout without `query:samples.window` is measured as its renderer
 * drove it: every edit and filter refetched the full `samples.list` twice (all + filtered), J/K
 * walked that list in the page, opening fetched both lists.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type * as StudioModule from '../src/main/studio'
import type * as RegistryModule from '../src/main/ipc/registry'
import type * as ContractModule from '../src/shared/ipc/contract'
import { generateBigProject } from './big-project-fixture'


const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const here = resolve(import.meta.dirname, '..')
const src = resolve(arg('src') ?? here)
const sizes = (arg('sizes') ?? '1000,5000,20000').split(',').map(Number)

interface Measure {
  ms: number
  bytes: number
}
type Results = Record<number, Record<string, Measure | null>>

const INTERACTIONS = ['open → first rows', 'edit (O/A/F mark)', 'next uncoded (N)', 'J/K', 'filter (status)', 'clear filter', 'open Agreement'] as const

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function run(): Promise<Results> {
  const load = async <T>(path: string) => (await import(pathToFileURL(join(src, path)).href)) as T
  const { createStudio } = await load<typeof StudioModule>('src/main/studio.ts')
  const { call } = await load<typeof RegistryModule>('src/main/ipc/registry.ts')
  const { isRequestChannel } = await load<typeof ContractModule>('src/shared/ipc/contract.ts')
  const windowed = isRequestChannel('query:samples.window')
  const results: Results = {}

  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'me-big-'))
    const studio = createStudio({ host: 'bridge', userDataDir: dir, resourcesDir: join(src, 'resources'), visionWorkers: 1 })
    const emitted: unknown[] = []
    studio.bus.subscribe((_channel, payload) => emitted.push(payload))
    try {
      const made = await generateBigProject(join(dir, 'project'), size, src)
      const r = studio.registry
      // The calls go through the untyped door: the two checkouts' contracts differ.
      const invoke = async (channel: string, input: unknown) => call(r, channel as 'query:datasets.list', input as never) as Promise<unknown>
      /** Runs one interaction: ms from start to the last answer serialised, bytes of answers and events. */
      const timed = async (work: () => Promise<unknown[]>): Promise<Measure> => {
        emitted.length = 0
        const t0 = performance.now()
        const answers = await work()
        const bytes = [...answers, ...emitted].reduce<number>((n, x) => n + Buffer.byteLength(JSON.stringify(x) ?? ''), 0)
        return { ms: performance.now() - t0, bytes }
      }
      const med = (ms: Measure[]): Measure => ({ ms: median(ms.map((m) => m.ms)), bytes: median(ms.map((m) => m.bytes)) })
      const viewerId = made.coders.kim

      let datasetId = 0
      let filter: Record<string, unknown> = {}
      /** What the renderer fetches to show the list: a page (+ counts and subjects) now, both full lists before. */
      const firstRows = async (facets: boolean) =>
        windowed
          ? [await invoke('query:samples.window', { filter: { datasetId, ...filter }, viewerId, offset: 0, limit: 100, facets })]
          : [await invoke('query:samples.list', { filter: { datasetId }, viewerId }), await invoke('query:samples.list', { filter: { datasetId, ...filter }, viewerId })]

      const opens: Measure[] = []
      for (let i = 0; i < 3; i++) {
        await invoke('command:project.close', {})
        opens.push(
          await timed(async () => {
            const info = (await invoke('command:project.open', { path: made.path })) as { datasets: { id: number }[] }
            datasetId = info.datasets[0]!.id
            return [info, ...(await firstRows(true))]
          }),
        )
      }

      const middle = windowed
        ? ((await invoke('query:samples.window', { filter: { datasetId }, viewerId, offset: Math.floor(size / 2), limit: 1 })) as { rows: { id: number; firstFrame: number | null }[] }).rows[0]!
        : ((await invoke('query:samples.list', { filter: { datasetId }, viewerId })) as { id: number; firstFrame: number | null }[])[Math.floor(size / 2)]!
      const edits: Measure[] = []
      for (let i = 0; i < 8; i++) {
        edits.push(
          await timed(async () => [
            await invoke('command:annotation.update', { sampleId: middle.id, annotatorId: viewerId, patch: { onset: (middle.firstFrame ?? 0) + 1 + (i % 2) } }),
            ...(windowed ? [] : await firstRows(false)),
          ]),
        )
      }

      let from = middle.id
      const nexts: Measure[] = []
      for (let i = 0; i < 10; i++) {
        nexts.push(
          await timed(async () => {
            const next = (await invoke('query:samples.next-uncoded', { annotatorId: viewerId, fromSampleId: from, direction: 'next', filter: { datasetId } })) as { sampleId: number }
            from = next.sampleId
            return [next]
          }),
        )
      }

      const steps: Measure[] = []
      if (windowed) {
        for (let i = 0; i < 10; i++) {
          steps.push(
            await timed(async () => {
              const next = (await invoke('query:samples.neighbour', { fromSampleId: from, direction: i % 3 === 2 ? 'previous' : 'next', filter: { datasetId }, viewerId })) as { sampleId: number }
              from = next.sampleId
              return [next]
            }),
          )
        }
      }

      const filters: Measure[] = []
      const clears: Measure[] = []
      for (let i = 0; i < 3; i++) {
        filter = { status: 'disputed' }
        filters.push(await timed(() => firstRows(false)))
        filter = {}
        clears.push(await timed(() => firstRows(false)))
      }

      const reports: Measure[] = []
      for (let i = 0; i < 3; i++) reports.push(await timed(async () => [await invoke('query:agreement.report', { datasetId })]))

      results[size] = {
        [INTERACTIONS[0]]: med(opens),
        [INTERACTIONS[1]]: med(edits),
        [INTERACTIONS[2]]: med(nexts),
        [INTERACTIONS[3]]: steps.length > 0 ? med(steps) : null,
        [INTERACTIONS[4]]: med(filters),
        [INTERACTIONS[5]]: med(clears),
        [INTERACTIONS[6]]: med(reports),
      }
      process.stderr.write(`${src}: ${size} samples measured\n`)
    } finally {
      await studio.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  return results
}

const fmtMs = (m: Measure | null | undefined) => (m ? `${m.ms.toFixed(1)} ms` : '— (in the page)')
const fmtBytes = (m: Measure | null | undefined) => (m ? (m.bytes >= 1e6 ? `${(m.bytes / 1e6).toFixed(2)} MB` : m.bytes >= 1e3 ? `${(m.bytes / 1e3).toFixed(1)} kB` : `${m.bytes} B`) : '')

if (process.argv.includes('--json')) {
  process.stdout.write(JSON.stringify(await run()))
} else {
  const beforeRoot = arg('before')
  const before: Results | null = beforeRoot
    ? (JSON.parse(
        execFileSync(
          // This Node (22: better-sqlite3 crashes on the system's 20) running tsx's CLI.
          process.execPath,
          [join(here, 'node_modules/.bin/tsx'), '--tsconfig', join(resolve(beforeRoot), 'tsconfig.node.json'), import.meta.filename, '--src', resolve(beforeRoot), '--sizes', sizes.join(','), '--json'],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
        ),
      ) as Results)
    : null
  const after = await run()
  const rows: string[][] = [['samples', 'interaction', ...(before ? ['before', 'before bytes'] : []), 'after', 'after bytes', ...(before ? ['before / after'] : [])]]
  for (const size of sizes) {
    for (const name of INTERACTIONS) {
      const a = after[size]![name]
      const b = before?.[size]?.[name]
      rows.push([
        String(size),
        name,
        ...(before ? [fmtMs(b), fmtBytes(b)] : []),
        fmtMs(a),
        fmtBytes(a),
        ...(before ? [a && b ? `${(b.ms / a.ms).toFixed(1)}×` : ''] : []),
      ])
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  for (const row of rows) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}\n`)
  // The slope: how each interaction grows from the smallest to the largest project.
  const [small, large] = [sizes[0]!, sizes[sizes.length - 1]!]
  process.stdout.write(`\nslope, ${large} / ${small} samples (${(large / small).toFixed(0)}× the samples):\n`)
  for (const name of INTERACTIONS) {
    const growth = (r: Results | null) => {
      const a = r?.[small]?.[name]
      const b = r?.[large]?.[name]
      return a && b ? `${(b.ms / a.ms).toFixed(1)}× time, ${(b.bytes / a.bytes).toFixed(1)}× bytes` : '—'
    }
    process.stdout.write(`  ${name.padEnd(20)} ${before ? `before ${growth(before).padEnd(28)} ` : ''}after ${growth(after)}\n`)
  }
}
