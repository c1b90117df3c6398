/**
 * The first prediction in Inspect on a cold session: a fresh studio process (the built browser
 * bridge, `out/main/bridge.js`, the same core and handlers as the Electron app) with the project
 * open and Inspect's model list loaded, then Run as the renderer does it: `command:predict.sample`
 * (a job), its `event:job.done` on the event socket, `query:job.outcome`, the attention tensors
 * from the media route. The clock runs from Run to the last tensor received. Nothing was warm:
 * no worker started, no session open, no frame decoded, no flow cached (fresh data folder).
 *
 *   npx electron-vite build && npx tsx --tsconfig tsconfig.node.json bench/inspect-first-prediction.bench.ts
 *       [--model ststnet-demo,off_tanet-demo] [--rounds 5] [--before <checkout>]   (another built checkout, interleaved)
 *
 * Goal (issue #23): ≤ 1 s. Prints per model the median and the worst of the rounds, and the
 * same for the second prediction (another sample, same session) for comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import WebSocket from 'ws'
import { MediaService } from '../src/main/services/media'
import { importDataset } from '../src/main/services/project/import'
import { Project } from '../src/main/services/project/project'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'

const root = resolve(import.meta.dirname, '..')

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

const models = arg('model', 'ststnet-demo,off_tanet-demo').split(',')
const rounds = Number(arg('rounds', '5'))
const before = arg('before', '')
const BRIDGES: [string, string][] = [...(before ? [['before', resolve(before)] as [string, string]] : []), ['this', root]]
for (const [, dir] of BRIDGES) if (!existsSync(join(dir, 'out/main/bridge.js'))) throw new Error(`${dir}: not built (run \`npx electron-vite build\` there)`)

interface Session {
  invoke: <T>(channel: string, input: unknown) => Promise<T>
  media: (path: string) => Promise<ArrayBuffer>
  jobDone: (jobId: string) => Promise<void>
  close: () => Promise<void>
}

/** Starts a bridge process and connects to it as the renderer does (HTTP invoke, event socket, media route). */
async function startSession(checkout: string, dataDir: string): Promise<Session> {
  const token = 'bench-token'
  const child: ChildProcess = spawn(process.execPath, [join(checkout, 'out/main/bridge.js')], {
    cwd: checkout,
    env: { ...process.env, ME_STUDIO_DATA_DIR: dataDir, ME_STUDIO_PORT: '0', ME_STUDIO_TOKEN: token },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((ok, fail) => {
    let text = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const found = /serving on (http:\/\/\S+)/.exec(text)
      if (found) ok(found[1]!.replace(/\/$/, ''))
    })
    child.once('exit', (code) => fail(new Error(`the bridge exited (${code}) before serving`)))
  })
  const headers = { 'x-studio-token': token }
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/events`, { headers })
  try {
    await new Promise((ok, fail) => socket.once('open', ok).once('error', fail))
  } catch (error) {
    child.kill('SIGTERM')
    throw error
  }
  const done = new Map<string, () => void>()
  const finished = new Set<string>()
  socket.on('message', (data) => {
    const { channel, payload } = JSON.parse(data.toString()) as { channel: string; payload: { jobId: string } }
    if (channel !== 'event:job.done') return
    finished.add(payload.jobId)
    done.get(payload.jobId)?.()
  })
  return {
    async invoke<T>(channel: string, input: unknown): Promise<T> {
      const response = await fetch(`${url}/api/invoke/${channel}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) })
      const envelope = (await response.json()) as { ok: boolean; value?: T; error?: { message: string } }
      if (!envelope.ok) throw new Error(`${channel}: ${envelope.error?.message}`)
      return envelope.value as T
    },
    async media(path: string): Promise<ArrayBuffer> {
      const response = await fetch(`${url}/media/${path}`, { headers })
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`)
      return response.arrayBuffer()
    },
    jobDone: (jobId) => (finished.has(jobId) ? Promise.resolve() : new Promise((ok) => done.set(jobId, ok))),
    async close() {
      socket.close()
      const exited = new Promise((ok) => child.once('exit', ok))
      child.kill('SIGTERM')
      await exited
    },
  }
}

interface SampleRef {
  id: number
  clipPath: string
  onsetIndex: number
  apexIndex: number | null
  offsetIndex: number
}

/** What Inspect sends for a sample: its clip and its coded frames as 0-based clip indices (here the dataset's labels). */
async function sampleRef(session: Session, row: { id: number; datasetLabel: { onset: number; apex: number | null; offset: number } }): Promise<SampleRef> {
  const { clip } = await session.invoke<{ clip: { path: string; frameNumbers: number[] } }>('query:sample.get', { sampleId: row.id })
  const index = (n: number) => clip.frameNumbers.indexOf(n)
  const { onset, apex, offset } = row.datasetLabel
  return { id: row.id, clipPath: clip.path, onsetIndex: index(onset), apexIndex: apex === null ? null : index(apex), offsetIndex: index(offset) }
}

/** Run in Inspect: the prediction job, its outcome, then its attention tensors. Returns ms from Run to the last byte. */
async function run(session: Session, modelId: string, sample: SampleRef): Promise<number> {
  const t0 = performance.now()
  const { clipPath, onsetIndex, apexIndex, offsetIndex } = sample
  const { jobId } = await session.invoke<{ jobId: string }>('command:predict.sample', { sample: { clipPath, onsetIndex, apexIndex, offsetIndex }, modelId, provider: null, auNumbers: [], sampleId: sample.id })
  await session.jobDone(jobId)
  const outcome = await session.invoke<{ state: string; error?: { message: string }; result: { id: string; attention: { name: string }[] } }>('query:job.outcome', { jobId })
  if (outcome.state !== 'completed') throw new Error(`prediction ${outcome.state}: ${outcome.error?.message}`)
  const { id, attention } = outcome.result
  await Promise.all(attention.map((a) => session.media(`attention/${encodeURIComponent(id)}/${encodeURIComponent(a.name)}.f32`)))
  return performance.now() - t0
}

const work = mkdtempSync(join(tmpdir(), 'me-inspect-first-'))
try {
  const dataset = join(work, 'dataset')
  await generateSyntheticDataset({ outDir: dataset, subjects: 1, samplesPerSubject: 2, width: 256, height: 256, seed: 5 })
  const projectPath = join(work, 'study.meproj')
  const project = await Project.open(projectPath, { create: true, keepBackups: 0 })
  await importDataset(project, new MediaService(), dataset)
  project.close()

  const times = new Map<string, { first: number[]; second: number[] }>()
  const loads: number[] = [loadavg()[0]!]
  let id = 0
  for (let r = 0; r < rounds; r++) {
    for (const modelId of models) {
      for (const [tag, checkout] of BRIDGES) {
        const dataDir = join(work, `data-${++id}`)
        const session = await startSession(checkout, dataDir)
        try {
          // What the session did before Run: the project opened, Inspect's model list, the sample's row.
          await session.invoke('command:project.open', { path: projectPath })
          await session.invoke('query:models.list', { reload: false })
          const datasetId = (await session.invoke<{ id: number }[]>('query:datasets.list', {}))[0]!.id
          const page = await session.invoke<{ rows: Parameters<typeof sampleRef>[1][] }>('query:samples.window', { filter: { datasetId }, offset: 0, limit: 2, facets: false })
          const [a, b] = await Promise.all(page.rows.map((row) => sampleRef(session, row)))
          const key = `${modelId} | ${tag}`
          if (!times.has(key)) times.set(key, { first: [], second: [] })
          times.get(key)!.first.push(await run(session, modelId, a!))
          times.get(key)!.second.push(await run(session, modelId, b!))
        } finally {
          await session.close()
          rmSync(dataDir, { recursive: true, force: true })
        }
      }
      loads.push(loadavg()[0]!)
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  console.log(`Run → prediction shown in Inspect, fresh studio process each round (${rounds} rounds, interleaved); ${availableParallelism()} cores, 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`)
  console.log('| model | build | first prediction, cold session: median (worst) | second prediction: median (worst) |')
  console.log('|---|---|---|---|')
  for (const [key, t] of times) {
    const [model, tag] = key.split(' | ')
    console.log(`| ${model} | ${tag} | **${median(t.first).toFixed(0)} ms** (${Math.max(...t.first).toFixed(0)}) | ${median(t.second).toFixed(0)} ms (${Math.max(...t.second).toFixed(0)}) |`)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
