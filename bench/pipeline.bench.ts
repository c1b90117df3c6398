/**
 * End to end, samples per second: `me-studio predict`'s pipeline (frames decoded by the media
 * service, aligned input built by the inference service — our TV-L1 with OpenCV's numerics on the
 * vision workers — onnxruntime-node, every prediction committed to the project (group commit, as
 * `me-studio predict` does), CSV written) against the
 * equivalent Python pipeline (bench/python_pipeline.py: OpenCV imread, native OpenCV TV-L1, the
 * models kit's preprocessing, inference of the same ONNX with OpenCV DNN, or PyTorch with
 * --torch) on the same generated dataset and model.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/pipeline.bench.ts [--subjects 6] [--per-subject 10] [--size 256x256] [--model off_tanet-demo,ststnet-demo] [--repeats 3] [--torch]
 *
 * Both clocks start before the model is loaded and stop when the CSV is written; process start
 * and imports are outside both. Our worker threads (vision pool, ONNX session) run the worker
 * entries built as the app ships them (Vite, one ES module each, dependencies external; built
 * before the clocks, like imports), not the TypeScript sources through tsx, which would add
 * ≈150 ms CPU to each worker's start that neither the app nor `me-studio predict` pays; the
 * workers still start, and load their code, inside the clock. Caches start cold (fresh project
 * and user-data folder each run).
 * Runs are interleaved and the medians reported: samples/s (wall) and CPU time per sample (all
 * threads of the process: main, vision workers, onnxruntime / OpenCV), which other load on a
 * shared machine disturbs much less. Also prints how often the two pipelines agree on the class.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { build } from 'vite'
import { BatchService } from '../src/main/services/batch/batch-service'
import { InferencePredictorSource } from '../src/main/services/batch/inference-source'
import { BatchStore } from '../src/main/services/batch/store'
import { writePredictionsCsv } from '../src/main/services/export/predictions'
import { parseCsv } from '../src/main/services/formats/csv'
import { createInferenceService } from '../src/main/services/inference'
import { JobManager } from '../src/main/services/jobs'
import { MediaService } from '../src/main/services/media'
import { importDataset } from '../src/main/services/project/import'
import { Project } from '../src/main/services/project/project'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'
import { VisionPool } from '../src/main/workers/vision-pool'

const root = resolve(import.meta.dirname, '..')

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const subjects = Number(arg('subjects', '6'))
const perSubject = Number(arg('per-subject', '10'))
const [width, height] = arg('size', '256x256').split('x').map(Number) as [number, number]
const modelIds = arg('model', 'off_tanet-demo,ststnet-demo').split(',')
const repeats = Number(arg('repeats', '3'))
const work = mkdtempSync(join(tmpdir(), 'me-pipeline-bench-'))
// Inside the repository, so the built workers resolve onnxruntime-node from its node_modules.
const workersDir = join(root, 'node_modules', '.cache', `pipeline-bench-workers-${process.pid}`)

/** The vision and session worker entries as `npm run build` makes them (see electron.vite.config.ts). */
async function buildWorkers(): Promise<{ vision: string; session: string }> {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    resolve: { alias: { '@shared': join(root, 'src/shared') } },
    build: {
      ssr: true,
      outDir: workersDir,
      emptyOutDir: true,
      rollupOptions: {
        input: { vision: join(root, 'src/main/workers/vision.worker.ts'), inference: join(root, 'src/main/workers/inference.worker.ts') },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  })
  return { vision: join(workersDir, 'vision.js'), session: join(workersDir, 'inference.js') }
}

interface Run {
  seconds: number
  cpuSeconds: number
  csv: string
}

/** One cold `predict`: new project with the dataset imported (not timed), fresh services and caches, then the timed batch + CSV. */
async function runOurs(dataset: string, modelId: string, n: number, workers: { vision: string; session: string }): Promise<Run & { total: number; provider: string; workers: number; steadyRate: number }> {
  const project = await Project.open(join(work, `ours-${modelId}-${n}.meproj`), { create: true, keepBackups: 0 })
  await importDataset(project, new MediaService(), dataset)
  const vision = new VisionPool({ workerPath: workers.vision })
  const inference = createInferenceService({
    resourcesDir: join(root, 'resources'),
    userDataDir: join(work, `user-data-${modelId}-${n}`),
    vision,
    notify: () => undefined,
    sessionWorker: { workerPath: workers.session },
  })
  const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
  // When half the batch is committed, the start-up (workers, WebAssembly, sessions) is behind it.
  let halfway: { ms: number; done: number } | null = null
  const batch = new BatchService({
    jobs,
    predictors: new InferencePredictorSource(inference, new MediaService()),
    project: () => project,
    onProgress: (p) => {
      if (!halfway && p.done >= p.total / 2) halfway = { ms: performance.now(), done: p.done }
    },
  })
  const csv = join(work, `ours-${modelId}-${n}.csv`)
  const cpu = process.cpuUsage()
  const started = performance.now()
  const { jobId, total } = await batch.start({ modelRefs: [modelId], selection: { coded: 'any' } })
  const done = await jobs.wait(jobId)
  const finished = performance.now()
  await writePredictionsCsv(new BatchStore(project), jobId, csv)
  const seconds = (performance.now() - started) / 1000
  const mid = halfway as { ms: number; done: number } | null
  const steadyRate = mid && total > mid.done ? ((total - mid.done) * 1000) / (finished - mid.ms) : Number.NaN
  const used = process.cpuUsage(cpu)
  if (done.state !== 'completed' || new BatchStore(project).job(jobId).failed > 0) throw new Error(`our batch ended ${done.state} with failures`)
  const provider = [...new BatchStore(project).iteratePredictions(jobId)][0]?.provider ?? '?'
  project.close()
  await inference.dispose()
  await vision.destroy()
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, csv, total, provider, workers: vision.size, steadyRate }
}

function runPython(dataset: string, onnxPath: string, cardPath: string, n: number): Run & { inference: string } {
  const csv = join(work, `python-${basename(onnxPath)}-${n}.csv`)
  const args = ['bench/python_pipeline.py', dataset, onnxPath, cardPath, csv, ...(process.argv.includes('--torch') ? ['--torch'] : [])]
  const out = JSON.parse(execFileSync('/usr/bin/python3', args, { cwd: root }).toString().trim().split('\n').pop()!) as { seconds: number; cpu_seconds: number; inference: string }
  return { seconds: out.seconds, cpuSeconds: out.cpu_seconds, csv, inference: out.inference }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!

try {
  const dataset = join(work, 'dataset')
  await generateSyntheticDataset({ outDir: dataset, subjects, samplesPerSubject: perSubject, width, height, seed: 7 })
  const workers = await buildWorkers()
  // Only the registry is used (model paths for the Python side); its pool never starts a worker.
  const probeVision = new VisionPool({ workerPath: workers.vision })
  const probe = createInferenceService({
    resourcesDir: join(root, 'resources'),
    userDataDir: join(work, 'probe'),
    vision: probeVision,
    notify: () => undefined,
    sessionWorker: { workerPath: workers.session },
  })
  for (const modelId of modelIds) {
    const model = await probe.registry.get(modelId)

    // Interleaved (ours, Python, ours, …) so a machine busy with other work slows both alike.
    const ours: Awaited<ReturnType<typeof runOurs>>[] = []
    const python: ReturnType<typeof runPython>[] = []
    for (let n = 0; n < repeats; n++) {
      ours.push(await runOurs(dataset, modelId, n, workers))
      python.push(runPython(dataset, model.onnxPath, model.cardPath, n))
    }
    const total = ours[0]!.total
    const rate = (runs: Run[]) => total / median(runs.map((r) => r.seconds))
    const cpuPerSample = (runs: Run[]) => (median(runs.map((r) => r.cpuSeconds)) / total) * 1000

    const [oursHeader, ...oursRows] = parseCsv(readFileSync(ours[0]!.csv, 'utf8')).filter((r) => r.length > 1)
    const [, ...pyRows] = parseCsv(readFileSync(python[0]!.csv, 'utf8')).filter((r) => r.length > 1)
    const col = (name: string) => oursHeader!.indexOf(name)
    const predicted = new Map(oursRows.map((r) => [`${r[col('subject')]}/${r[col('sample')]}`, r[col('predicted_label')]]))
    const same = pyRows.filter((r) => predicted.get(`${r[0]}/${r[1]}`) === r[2]).length

    console.log(`dataset: ${total} samples (${subjects} subjects × ${perSubject}), ${width}x${height}, model ${modelId}; median of ${repeats} interleaved cold runs`)
    console.log(`ours   : ${rate(ours).toFixed(2)} samples/s, ${cpuPerSample(ours).toFixed(1)} CPU-ms/sample (TV-L1 on ${ours[0]!.workers} vision workers, onnxruntime-node on ${ours[0]!.provider}, every prediction committed to the project in groups)`)
    console.log(`ours, second half of the batch (start-up behind it): ${median(ours.map((r) => r.steadyRate)).toFixed(2)} samples/s`)
    console.log(`python : ${rate(python).toFixed(2)} samples/s, ${cpuPerSample(python).toFixed(1)} CPU-ms/sample (native OpenCV TV-L1, ${python[0]!.inference})`)
    console.log(`ratio  : ours/python = ${(rate(ours) / rate(python)).toFixed(2)} in samples/s (wall), ${(cpuPerSample(python) / cpuPerSample(ours)).toFixed(2)} in CPU time per sample`)
    console.log(`same predicted class: ${same}/${pyRows.length}`)
    console.log('')
  }
  await probe.dispose()
  await probeVision.destroy()
} finally {
  rmSync(work, { recursive: true, force: true })
  rmSync(workersDir, { recursive: true, force: true })
}
