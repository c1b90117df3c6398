/**
 * Main event-loop lag while the inference service works through a long batch, against an idle
 * reference: `perf_hooks.monitorEventLoopDelay` (10 ms resolution) records how late timers fire.
 * Two loads are measured, one after the other:
 *   1. ORT only: back-to-back `runModel` calls on a ready tensor (sessions run on ORT's threads);
 *   2. full predictions: `predictSample` on distinct samples, so every input is built (frames,
 *      TV-L1 on the vision worker pool, strain, standardisation) before its run.
 * If p99 exceeds 50 ms the sessions belong in a utility process (see ARCHITECTURE "Processes
 * and speed").
 *
 *   npx tsx bench/inference-lag.bench.ts [--runs 300] [--samples 12]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { InputBuilder } from '../src/main/services/inference/inputs'
import { InferenceService } from '../src/main/services/inference/predict'
import { ModelRegistry } from '../src/main/services/inference/registry'
import { ortSessionFactory } from '../src/main/services/inference/session'
import { SessionCache } from '../src/main/services/inference/sessions'
import { poolVisionCompute } from '../src/main/services/inference/vision-compute'
import { VisionPool } from '../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../src/main/workers/vision-worker-location'
import { INFERENCE_FIXTURES, syntheticSample } from '../tests/helpers/inference-fixture'

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback
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
const samples = arg('samples', 12)
const pool = new VisionPool(visionWorkerLocation(new URL('../src/main/workers/vision-worker-location.ts', import.meta.url).href))
const registry = new ModelRegistry({ bundledDir: INFERENCE_FIXTURES, userDir: '/nonexistent', factory: ortSessionFactory })
const inference = new InferenceService({
  registry,
  sessions: new SessionCache(ortSessionFactory, () => undefined),
  inputs: new InputBuilder({ compute: poolVisionCompute(pool) }),
})
const model = await registry.get('off_tanet-untrained')
const ready = await inference.inputs.buildInput(syntheticSample({ key: 'bench-warm' }), model.card)
await inference.runModel(model.card, model.onnxPath, ready, { provider: 'cpu' })

const results = [
  await measure('idle (2 s of timers only)', () => new Promise((resolve) => setTimeout(() => resolve(0), 2000))),
  await measure(`ORT only: ${runs} runs of Off-TANet`, async () => {
    for (let i = 0; i < runs; i++) await inference.runModel(model.card, model.onnxPath, ready, { provider: 'cpu' })
    return runs
  }),
  await measure(`full predictions: ${samples} samples (TV-L1 on the pool + run)`, async () => {
    await Promise.all(Array.from({ length: samples }, (_, i) => inference.predictSample(syntheticSample({ key: `bench-${i}` }), model.id, { provider: 'cpu' })))
    return samples
  }),
]
const idle = results[0]!
console.log('load | items | s | p50 ms | p99 ms | max ms | p99 / idle p99')
for (const r of results) console.log(`${r.label} | ${r.items} | ${r.seconds.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${(r.p99 / idle.p99).toFixed(2)}`)
const worst = Math.max(...results.slice(1).map((r) => r.p99))
console.log(worst > 50 ? `p99 ${worst.toFixed(1)} ms > 50 ms: host sessions in a utility process` : `p99 ${worst.toFixed(1)} ms ≤ 50 ms: sessions stay in the main process`)
await inference.dispose()
await pool.destroy()
