/**
 * `me-studio predict` as a user runs it — the whole process, start-up included — against the
 * whole Python pipeline (`/usr/bin/python3 bench/python_pipeline.py`: imports, OpenCV imread,
 * native OpenCV TV-L1, the models kit's preprocessing, the same ONNX through OpenCV DNN) on the
 * same generated CASME II-shaped datasets (20 and 500 clips by default), for each model, on 1, 2
 * and all cores (`taskset -c`, for both sides: the CLI sizes its vision workers, lanes and
 * onnxruntime threads to the cores it may use, OpenCV its threads).
 *
 *   npx electron-vite build && npx tsx --tsconfig tsconfig.node.json bench/predict-cli.bench.ts
 *       [--counts 20,500] [--model ststnet-demo,off_tanet-demo] [--cores 1,2,all] [--repeats 3]
 *       [--before <checkout>]   (another built checkout's bin/me-studio.mjs, run interleaved: before/after)
 *
 * Each run starts cold: a fresh copy of the imported project (the import is not timed, as the
 * Python side reads its ground-truth.json) and a fresh data folder (no flow cache, no verdicts).
 * Runs are interleaved (before, ours, Python, before, ours, …) so load from other work slows
 * them alike; per cell the medians: samples/s (wall) and CPU time per sample (the child's user +
 * system time, every thread). Also prints how often our predicted class is Python's.
 */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseCsv } from '../src/main/services/formats/csv'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'
import { replicatedProject } from './replicated-dataset'

const root = resolve(import.meta.dirname, '..')

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

const counts = arg('counts', '20,500').split(',').map(Number)
const models = arg('model', 'ststnet-demo,off_tanet-demo').split(',')
const repeats = Number(arg('repeats', '3'))
const all = availableParallelism()
// 'all' without taskset; a count ≥ all is the same setting, so it is measured once.
const cores = [...new Set(arg('cores', '1,2,all').split(',').map((c) => (c === 'all' ? all : Math.min(all, Number(c)))))]
const before = arg('before', '')
const CLIS: [string, string][] = [...(before ? [['before', join(resolve(before), 'bin/me-studio.mjs')] as [string, string]] : []), ['ours', join(root, 'bin/me-studio.mjs')]]
for (const [, cli] of CLIS) if (!existsSync(join(cli, '../../out/main/cli.js'))) throw new Error(`${cli}: not built (run \`npx electron-vite build\` there)`)

interface Run {
  seconds: number
  cpuSeconds: number
}

/** CPU time (user + system) of this process's waited-for children: /proc/self/stat cutime + cstime. */
function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100 // fields 16 and 17 of stat(5), in clock ticks
}

/** One whole process under `taskset` on the first `n` cores (none when n is all of them). */
function timed(n: number, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const [file, argv] = n < all ? ['taskset', ['-c', `0-${n - 1}`, command, ...args]] : [command, args]
  const cpu = childCpuSeconds()
  const t0 = performance.now()
  const child = spawnSync(file, argv, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const seconds = (performance.now() - t0) / 1000
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${child.status ?? child.signal}: ${child.stderr.slice(-2000)}`)
  return { seconds, cpuSeconds: childCpuSeconds() - cpu }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

/** subject/sample → predicted class, from our CSV or Python's. */
function predictedClasses(csv: string): Map<string, string> {
  const [header, ...rows] = parseCsv(readFileSync(csv, 'utf8')).filter((r) => r.length > 1)
  const col = (name: string) => header!.indexOf(name)
  return new Map(rows.map((r) => [`${r[col('subject')]}/${r[col('sample')]}`, r[col('predicted_label')]!]))
}

const work = mkdtempSync(join(tmpdir(), 'me-predict-cli-bench-'))
try {
  const baseDir = join(work, 'base')
  const base = await generateSyntheticDataset({ outDir: baseDir, subjects: 4, samplesPerSubject: 5, width: 256, height: 256, seed: 7 })
  const rows: string[] = []
  const loads: number[] = [loadavg()[0]!]
  let runId = 0
  for (const count of counts) {
    const dataset = join(work, `dataset-${count}`, 'CASME2')
    const imported = join(work, `imported-${count}.meproj`)
    await replicatedProject({ dir: baseDir, samples: base.samples }, dataset, count, imported)
    for (const model of models) {
      const card = join(root, 'resources/models', `${model}.card.json`)
      for (const n of cores) {
        const runs = new Map<string, Run[]>([...CLIS.map(([tag]) => [tag, []] as [string, Run[]]), ['python', []]])
        let same = ''
        for (let r = 0; r < repeats; r++) {
          let oursCsv = ''
          for (const [tag, cli] of CLIS) {
            const id = ++runId
            const projectCopy = join(work, `run-${id}.meproj`)
            copyFileSync(imported, projectCopy)
            oursCsv = join(work, `run-${id}.csv`)
            const env = { ...process.env, ME_STUDIO_DATA_DIR: join(work, `data-${id}`) }
            runs.get(tag)!.push(timed(n, process.execPath, [cli, 'predict', '--project', projectCopy, '--model', model, '--out', oursCsv], env))
            rmSync(join(work, `data-${id}`), { recursive: true, force: true })
          }
          const pyCsv = join(work, `python-${runId}.csv`)
          runs.get('python')!.push(timed(n, '/usr/bin/python3', ['bench/python_pipeline.py', dataset, join(root, 'resources/models', `${model}.onnx`), card, pyCsv]))
          if (r === 0) {
            const ours = predictedClasses(oursCsv)
            const python = predictedClasses(pyCsv)
            same = `${[...python].filter(([key, label]) => ours.get(key) === label).length}/${python.size}`
          }
          loads.push(loadavg()[0]!)
        }
        const rate = (tag: string) => count / median(runs.get(tag)!.map((x) => x.seconds))
        const cpuMs = (tag: string) => (median(runs.get(tag)!.map((x) => x.cpuSeconds)) / count) * 1000
        const cell = (tag: string) => `${rate(tag).toFixed(1)} samples/s, ${cpuMs(tag).toFixed(1)} CPU-ms`
        const cells = [model, String(count), n === all ? `${n} (all)` : String(n), ...CLIS.map(([tag]) => cell(tag)), cell('python'), ...CLIS.map(([tag]) => `**${(rate(tag) / rate('python')).toFixed(2)}×**`), same]
        rows.push(`| ${cells.join(' | ')} |`)
        console.log(rows.at(-1))
      }
    }
    rmSync(join(work, `dataset-${count}`), { recursive: true, force: true })
  }
  const tags = CLIS.map(([tag]) => tag)
  console.log('')
  console.log(`whole processes, median of ${repeats} interleaved cold runs; ${all} cores; 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`)
  console.log(`| model | clips | cores | ${tags.map((t) => `${t === 'ours' ? 'me-studio predict' : `${t}: me-studio predict`}`).join(' | ')} | Python pipeline | ${tags.map((t) => `${t} / Python (wall)`).join(' | ')} | same class as Python |`)
  console.log(`|${'---|'.repeat(5 + 2 * tags.length)}`)
  for (const row of rows) console.log(row)
} finally {
  rmSync(work, { recursive: true, force: true })
}
