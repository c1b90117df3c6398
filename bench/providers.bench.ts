/**
 * Per-model latency on every execution provider that starts here, next to the parity gate's
 * verdict, as one table: median milliseconds of a batch-1 run on the seeded probe input (after
 * one untimed run that compiles kernels/shaders), and the ratio to CPU. Sessions run in the
 * session worker, as in the studio. A provider that cannot open a model says why in its row.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/providers.bench.ts [--runs 20] [--models resources/models]
 *       [--providers cuda,webgpu,cpu]   (default: the platform order and every provider onnxruntime-node lists)
 *
 * WebGPU on Linux needs a Vulkan driver (on CI: Mesa's lavapipe from bookworm-backports, a
 * software Vulkan 20–50× slower than CPU — a correctness check, not a speed one). `bench/gpu-check.sh`
 * runs this on an NVIDIA machine.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describeOnnxRuntime, providerCandidates, providerDriver } from '../src/main/services/execution-providers'
import { ParityGate, ProviderInitError, probeInput, VerdictStore, type ProviderVerdict } from '../src/main/services/inference/parity'
import { ModelRegistry } from '../src/main/services/inference/registry'
import { SessionWorkerHost, sessionWorkerLocation } from '../src/main/workers/inference-host'

function argText(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const runs = Number(argText('runs', '20'))
const listed = (await describeOnnxRuntime()).providers.map((p) => p.name)
const providers = argText('providers', [...new Set([...providerCandidates(process.platform), ...listed])].join(',')).split(',')
process.env.XDG_RUNTIME_DIR ??= mkdtempSync(join(tmpdir(), 'me-xdg-'))

const host = new SessionWorkerHost(sessionWorkerLocation(new URL('../src/main/workers/inference-host.ts', import.meta.url).href))
const registry = new ModelRegistry({ bundledDir: resolve(argText('models', 'resources/models')), userDir: '/nonexistent', factory: host.factory })
// A fresh verdict store: the bench always measures.
const gate = new ParityGate({ factory: host.factory, store: new VerdictStore(join(mkdtempSync(join(tmpdir(), 'me-bench-verdicts-')), 'verdicts.json')) })

type Row = { model: string; provider: string; verdict: string; medianMs: number | null }
const rows: Row[] = []
const notStarting = new Map<string, string>()

for (const model of await registry.list()) {
  if (!model.card || model.problem) continue
  const card = model.card
  const feeds = { [card.input.name]: probeInput(card.input.shape) }
  const outputs = [card.outputs.logits.name, ...card.outputs.attention.map((a) => a.name), ...card.outputs.other.map((o) => o.name)]
  const timed: Row[] = []
  for (const provider of providers) {
    let verdict = 'reference'
    if (provider !== 'cpu') {
      try {
        verdict = short(await gate.check({ label: card.id, modelPath: model.onnxPath, sha256: card.file.sha256, input: { name: card.input.name, shape: card.input.shape }, outputs }, provider))
      } catch (error) {
        notStarting.set(provider, error instanceof ProviderInitError ? error.message : (error as Error).message)
        rows.push({ model: card.id, provider, verdict: 'does not start (below)', medianMs: null })
        continue
      }
    }
    const row = { model: card.id, provider, verdict, medianMs: null }
    rows.push(row)
    if (!verdict.startsWith('PINNED: kernel')) timed.push(row)
    process.stderr.write(`${card.id} on ${provider}: ${verdict}\n`)
  }
  await timeInterleaved(model.onnxPath, timed, feeds)
}
await host.dispose()

const cpuMs = new Map(rows.filter((r) => r.provider === 'cpu').map((r) => [r.model, r.medianMs]))
const table = [
  ['model', 'provider', 'median ms', '× cpu', 'parity with CPU'],
  ...rows.map((r) => {
    const cpu = cpuMs.get(r.model)
    return [r.model, r.provider, r.medianMs === null ? '-' : r.medianMs.toPrecision(3), r.medianMs !== null && cpu ? (r.medianMs / cpu).toFixed(2) : '-', r.verdict]
  }),
]
const widths = table[0]!.slice(0, -1).map((_, c) => Math.max(...table.map((row) => row[c]!.length)))
console.log(`providers.bench: median of ${runs} runs per cell (providers alternating), batch 1, seeded probe; onnxruntime-node ${gate.onnxruntime}, ${process.platform}-${process.arch}`)
for (const p of providers.filter((p) => p !== 'cpu' && !notStarting.has(p))) console.log(`  ${p} driver: ${providerDriver(p)}`)
for (const row of table) console.log(row.map((cell, c) => (c < widths.length ? (c >= 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)) : cell)).join('  '))
for (const [provider, reason] of notStarting) console.log(`${provider} does not start: ${reason}`)

function short(v: ProviderVerdict): string {
  if (v.status === 'pinned') return `PINNED: ${v.reason}`
  // Integer outputs (tolerance 0) passed only by matching exactly.
  const worst = Math.max(...v.outputs.filter((o) => o.tolerance > 0).map((o) => o.maxAbsDiff / o.tolerance))
  return `pass (largest difference ${(worst * 100).toFixed(1)}% of its tolerance)`
}

/** Opens every row's provider, one untimed run each (kernels, shaders), then `runs` rounds alternating between them. */
async function timeInterleaved(modelPath: string, cells: Row[], feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<void> {
  const sessions = await Promise.all(cells.map((c) => host.factory(modelPath, c.provider)))
  try {
    for (const s of sessions) await s.run(feeds)
    const times = sessions.map(() => [] as number[])
    for (let i = 0; i < runs; i++) {
      for (const [k, s] of sessions.entries()) {
        const started = performance.now()
        await s.run(feeds)
        times[k]!.push(performance.now() - started)
      }
    }
    cells.forEach((c, k) => (c.medianMs = times[k]!.sort((a, b) => a - b)[Math.floor(runs / 2)]!))
  } finally {
    await Promise.all(sessions.map((s) => s.release()))
  }
}
