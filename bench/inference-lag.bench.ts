/**
 * Main event-loop lag while the inference service works through a long batch, against an idle
 * reference: `perf_hooks.monitorEventLoopDelay` (10 ms resolution) records how late timers fire.
 * Loads, interleaved:
 *   1. ORT in-process: back-to-back `runModel` calls on a ready tensor with sessions on the main
 *      thread (onnxruntime-node's `run` is synchronous inside a `setImmediate`);
 *   2. ORT in the session worker (`SessionWorkerHost`, what the studio uses);
 *   3. full predictions: `predictSample` on distinct samples, every input built (frames, TV-L1
 *      and the recipe stages on the vision pool) and run in the session worker.
 * The rule (ARCHITECTURE "Processes and speed"): p99 above 50 ms means sessions leave the main
 * thread — measured in-process first, which is why the studio hosts them in a worker.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/inference-lag.bench.ts [--runs 300] [--samples 48] [--rounds 3]
 *       [--models resources/models --model <card id>]   (default: the untrained Off-TANet test fixture)
 */
import { availableParallelism, loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { InputBuilder } from '../src/main/services/inference/inputs'
import type { InferenceSample } from '../src/main/services/inference/sample'
import { InferenceService } from '../src/main/services/inference/predict'
import { ModelRegistry } from '../src/main/services/inference/registry'
import { ortSessionFactory } from '../src/main/services/inference/onnx-session'
import { SessionWorkerHost, sessionWorkerLocation } from '../src/main/workers/inference-host'
import { SessionCache } from '../src/main/services/inference/session-cache'
import { poolVisionCompute } from '../src/main/services/inference/vision-compute'
import { VisionPool } from '../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../src/main/workers/vision-worker-location'
import { INFERENCE_FIXTURES, syntheticSample } from '../tests/helpers/inference-fixture'

function argText(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

function arg(name: string, fallback: number): number {
  return Number(argText(name, String(fallback)))
}

async function measure(label: string, work: () => Promise<number>): Promise<{ label: string; p50: number; p99: number; max: number; items: number; seconds: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  const started = performance.now()
  const items = await work()
  histogram.disable()
  const ms = (ns: number) => ns / 1e6
  return { label, p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), items, seconds: (performance.now() - started) / 1000 }
}

const runs = arg('runs', 300)
const samples = arg('samples', 48)
const pool = new VisionPool(visionWorkerLocation(new URL('../src/main/workers/vision-worker-location.ts', import.meta.url).href))
const host = new SessionWorkerHost(sessionWorkerLocation(new URL('../src/main/workers/inference-host.ts', import.meta.url).href))
const registry = new ModelRegistry({ bundledDir: argText('models', INFERENCE_FIXTURES), userDir: '/nonexistent', factory: ortSessionFactory })
const inputs = new InputBuilder({ compute: poolVisionCompute(pool) })
const inProcess = new InferenceService({ registry, sessions: new SessionCache(ortSessionFactory, () => undefined), inputs })
const inference = new InferenceService({ registry, sessions: new SessionCache(host.factory, () => undefined), inputs, onDispose: () => host.dispose() })
const model = await registry.get(argText('model', 'off_tanet-untrained'))
// Frames are rendered once up front: in the app they arrive decoded (sharp/ffmpeg work off the
// main thread), so drawing the synthetic texture must not count as main-thread work here.
const template = syntheticSample()
const rendered = await Promise.all(Array.from({ length: template.frameCount }, (_, i) => template.readFrame(i)))
const decodedSample = (key: string): InferenceSample => ({ ...template, key, readFrame: async (i) => rendered[i]! })
const ready = await inference.inputs.buildInput(syntheticSample({ key: 'bench-warm' }), model.card)
await inference.runModel(model.card, model.onnxPath, ready, { provider: 'cpu' })
await inProcess.runModel(model.card, model.onnxPath, ready, { provider: 'cpu' })

// The machine may be shared: the loads are interleaved `rounds` times and each figure is the
// median over rounds, so a burst of other work skews one round, not the result.
const rounds = arg('rounds', 3)
type Result = Awaited<ReturnType<typeof measure>>
const byLoad: Result[][] = [[], [], [], []]
const runLoop = (service: InferenceService) => async () => {
  for (let i = 0; i < runs; i++) await service.runModel(model.card, model.onnxPath, ready, { provider: 'cpu' })
  return runs
}
for (let round = 0; round < rounds; round++) {
  byLoad[0]!.push(await measure('idle (2 s of timers only)', () => new Promise((resolve) => setTimeout(() => resolve(0), 2000))))
  byLoad[1]!.push(await measure(`ORT in-process: ${runs} runs of ${model.id}`, runLoop(inProcess)))
  byLoad[2]!.push(await measure(`ORT in the session worker: ${runs} runs`, runLoop(inference)))
  byLoad[3]!.push(
    await measure(`full predictions: ${samples} samples (pool + session worker)`, async () => {
      await Promise.all(Array.from({ length: samples }, (_, i) => inference.predictSample(decodedSample(`bench-${round}-${i}`), model.id, { provider: 'cpu' })))
      return samples
    }),
  )
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
const results = byLoad.map((list) => ({
  label: list[0]!.label,
  items: list[0]!.items,
  seconds: median(list.map((r) => r.seconds)),
  p50: median(list.map((r) => r.p50)),
  p99: median(list.map((r) => r.p99)),
  max: median(list.map((r) => r.max)),
  p99s: list.map((r) => r.p99.toFixed(0)).join('/'),
}))
const idle = results[0]!
console.log(`medians over ${rounds} interleaved rounds; ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`)
console.log('load | items | s | p50 ms | p99 ms (each round) | max ms | p99 / idle p99')
for (const r of results) console.log(`${r.label} | ${r.items} | ${r.seconds.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} (${r.p99s}) | ${r.max.toFixed(1)} | ${(r.p99 / idle.p99).toFixed(2)}`)
for (const r of results.slice(1)) console.log(`${r.label}: p99 ${r.p99.toFixed(1)} ms ${r.p99 > 50 ? '> 50 ms: stalls the UI' : '≤ 50 ms'}`)
await inProcess.dispose()
await inference.dispose()
await pool.destroy()
