/**
 * Memory of long one-pass work, which must stay flat however long it runs:
 * - `me-studio predict` (the built CLI, as a user runs it) over generated projects of 100, 1,000
 *   and 5,000 samples: the process's peak RSS (VmHWM, worker threads included) for each, and the
 *   ratio peak(largest) / peak(smallest);
 * - a codes import of 2,000 and 10,000 codings in a clean process: RSS before the project is
 *   opened, after the import and after the project is closed (each after a full GC).
 *
 *   npx electron-vite build && npx tsx --tsconfig tsconfig.node.json bench/batch-memory.bench.ts [--counts 100,1000,5000] [--model off_tanet-demo] [--codings 2000,10000]
 *
 * The samples are 20 generated clips (256×256, 200 fps, CASME II layout) hard-linked into as many
 * sample folders as needed, with their labels in the sheet: every sample is a distinct clip for
 * the studio, as in a real dataset, and a one-pass batch never revisits one. Each batch gets a
 * fresh project and user-data folder (cold caches, the disk flow cache included). `--counts ''`
 * or `--codings ''` skips that part.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'
import { measureCodesImport, writeCodesImportFixture } from '../tests/helpers/codes-import-memory'
import { replicatedProject } from './replicated-dataset'

const root = resolve(import.meta.dirname, '..')
const cli = join(root, 'out', 'main', 'cli.js')

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}
const list = (text: string) => text.split(',').filter(Boolean).map(Number)

const counts = list(arg('counts', '100,1000,5000'))
const model = arg('model', 'off_tanet-demo')
const codings = list(arg('codings', '2000,10000'))
const MB = 1024 * 1024
const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`

/** Runs the CLI's predict on `project`, polling its RSS; resolves with its peak (VmHWM) and its RSS at each progress line (every 5 %). */
function predict(project: string, out: string, dataDir: string): Promise<{ peak: number; seconds: number; trace: { done: number; rss: number }[] }> {
  const started = performance.now()
  const child = spawn(process.execPath, [cli, 'predict', '--project', project, '--model', model, '--out', out], {
    env: { ...process.env, ME_STUDIO_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let peak = 0
  const trace: { done: number; rss: number }[] = []
  const status = `/proc/${child.pid}/status`
  const read = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(existsSync(status) ? readFileSync(status, 'utf8') : '')?.[1] ?? 0) * 1024
  const poll = setInterval(() => (peak = Math.max(peak, read('VmHWM'))), 100)
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    for (const [, done] of chunk.toString().matchAll(/^(\d+)\/\d+ /gm)) trace.push({ done: Number(done), rss: read('VmRSS') })
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  return new Promise((resolvePredict, reject) => {
    child.on('exit', (code) => {
      clearInterval(poll)
      if (code !== 0) reject(new Error(`predict exited ${code}: ${stderr}`))
      else resolvePredict({ peak, seconds: (performance.now() - started) / 1000, trace })
    })
  })
}

const work = mkdtempSync(join(tmpdir(), 'me-memory-bench-'))
try {
  if (counts.length > 0) {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npx electron-vite build\` first`)
    const baseDir = join(work, 'base')
    const truth = await generateSyntheticDataset({ outDir: baseDir, subjects: 4, samplesPerSubject: 5, durationSeconds: [0.12, 0.15], seed: 11 })
    const peaks: number[] = []
    console.log(`me-studio predict --model ${model}, one fresh process per batch (peak RSS includes the vision workers; the ONNX sessions run on its main thread)`)
    for (const count of counts) {
      const dataset = join(work, `dataset-${count}`, 'CASME2')
      const projectPath = join(work, `batch-${count}.meproj`)
      await replicatedProject({ dir: baseDir, samples: truth.samples }, dataset, count, projectPath)
      const out = join(work, `predictions-${count}.csv`)
      const { peak, seconds, trace } = await predict(projectPath, out, join(work, `user-data-${count}`))
      const rows = readFileSync(out, 'utf8').trim().split('\n').length - 1
      if (rows !== count) throw new Error(`the batch of ${count} samples wrote ${rows} rows`)
      peaks.push(peak)
      console.log(`${String(count).padStart(6)} samples: peak RSS ${mb(peak)} (${(count / seconds).toFixed(1)} samples/s)`)
      const shown = trace.filter((t, i) => i % 4 === 0 || i === trace.length - 1) // every 20 %
      console.log(`        RSS as it ran: ${shown.map((t) => `${t.done}: ${Math.round(t.rss / MB)}`).join(', ')} MB`)
      rmSync(join(work, `dataset-${count}`), { recursive: true, force: true })
    }
    if (peaks.length > 1) console.log(`ratio  : peak RSS at ${counts.at(-1)} / at ${counts[0]} samples = ${(peaks.at(-1)! / peaks[0]!).toFixed(2)}`)
    console.log('')
  }
  if (codings.length > 0) {
    console.log('codes import (csv) in a clean process, RSS after a full GC')
    for (const n of codings) {
      const dir = join(work, `codes-${n}`)
      const { project, codes } = await writeCodesImportFixture(dir, n, 'csv')
      const m = await measureCodesImport(project, codes)
      if (m.imported !== n) throw new Error(`imported ${m.imported} of ${n} codings`)
      const { before, imported, closed } = m.rss
      console.log(`${String(n).padStart(6)} codings: before ${mb(before)}, after the import ${mb(imported)} (+${mb(imported - before)}), project closed ${mb(closed)} (+${mb(closed - before)})`)
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
