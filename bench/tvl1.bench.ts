/**
 * TV-L1: ours vs native OpenCV (Debian python3-opencv through /usr/bin/python3) on the same
 * frame pairs with the same (OpenCV default) parameters.
 *
 *   npx tsx bench/tvl1.bench.ts [--sizes 112x112,224x224,640x480] [--repeats 5]
 *
 * Runs are interleaved (ours, OpenCV with its default threads, OpenCV with 1 thread, repeat) so
 * that a machine shared with other work slows all of them alike. Prints per size: median ms of
 * ours (one thread) and of OpenCV (default threads = cores, and 1 thread), the time ratios
 * ours/OpenCV, the EPE of each against the known flow (border of 8 px excluded), and the mean
 * EPE between the two flows. A second table compares CPU time (ours vs OpenCV on 1 thread), which
 * other processes on a busy machine disturb much less than wall time.
 *
 * Two more parts (`--parts in-process,held-out,whole-process`, default all):
 * - held-out: end-point error on pairs unlike the fixtures (tests/unit/vision/held-out-pairs.ts:
 *   real photos found at run time, a warp rendered at 4× and box-averaged, noise, displacements
 *   up to 10 px) of what `me-studio flow` runs (TVL1_FLOW_PRESET), of OpenCV's defaults in our
 *   code, and of OpenCV; `!` marks a pair where the CLI's flow is less accurate than OpenCV's.
 * - whole-process: `me-studio flow a.png b.png --out f.flo` (node start, decoding, flow, writing)
 *   against `/usr/bin/python3 bench/opencv_tvl1.py` doing the same with cv2 (interpreter start,
 *   imread, one DualTVL1 run on OpenCV's default threads, writing), interleaved, median of
 *   `--process-runs` (default 7); needs `npx electron-vite build` first.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { endPointError } from '../src/main/vision/image'
import { readFlo } from '../src/main/vision/flo'
import { TVL1_FLOW_PRESET, tvl1Flow } from '../src/main/vision/tvl1'
import { HELD_OUT_CASES, heldOutFlow, heldOutPhotos, renderHeldOutPair } from '../tests/unit/vision/held-out-pairs'
import { grayPng, interiorMask, loadFace, makePair, smoothFlow } from '../tests/unit/vision/synthetic'

const PY = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('./opencv_tvl1.py', import.meta.url))
/** `--cli other/bin/me-studio.mjs` times another build (e.g. an older commit's) in the whole-process part. */
const CLI = arg('cli', fileURLToPath(new URL('../bin/me-studio.mjs', import.meta.url)))

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]!
}

interface CvRun {
  ms: number[]
  cpu_ms: number[]
  threads: number
}

/** One OpenCV process: a warm-up run then a timed one (the first call allocates its buffers). */
function runOpenCv(p0: string, p1: string, pf: string, threads: number, repeats = 2): CvRun {
  return JSON.parse(execFileSync(PY, [SCRIPT, p0, p1, pf, String(repeats), String(threads)], { encoding: 'utf8' })) as CvRun
}

type Size = [number, number]

async function main(): Promise<void> {
  const sizes = arg('sizes', '112x112,224x224,640x480')
    .split(',')
    .map((s) => s.split('x').map(Number) as Size)
  const parts = arg('parts', 'in-process,held-out,whole-process').split(',')
  console.log(`${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`)
  if (parts.includes('in-process')) await inProcess(sizes)
  if (parts.includes('held-out')) await heldOut(sizes)
  if (parts.includes('whole-process')) await wholeProcess(sizes, Number(arg('process-runs', '7')))
  console.log(`load average at the end ${loadavg()[0]!.toFixed(1)}`)
}

async function inProcess(sizes: Size[]): Promise<void> {
  const repeats = Number(arg('repeats', '5'))
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-bench-'))
  const header = 'size      ours ms  cv ms (T thr)  cv ms (1 thr)  ratio vs T  ratio vs 1  EPE ours  EPE cv  ours↔cv'
  const rows: string[] = []
  const cpuRows: string[] = []
  try {
    for (const [w, h] of sizes) {
      const base = await loadFace(w, h)
      const truth = smoothFlow(w, h, 1.5 * Math.sqrt((w * h) / (224 * 224)))
      const { i0, i1 } = makePair(base, truth)
      const p0 = join(dir, `i0-${w}x${h}.png`)
      const p1 = join(dir, `i1-${w}x${h}.png`)
      const pf = join(dir, `cv-${w}x${h}.flo`)
      writeFileSync(p0, await grayPng(i0))
      writeFileSync(p1, await grayPng(i1))

      let flow = tvl1Flow(i0, i1) // warm-up (JIT, wasm tier-up)
      const ours: number[] = []
      const cvT: number[] = []
      const cv1: number[] = []
      const oursCpu: number[] = []
      const cv1Cpu: number[] = []
      let cvThreads = 0
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now()
        const c0 = process.cpuUsage()
        flow = tvl1Flow(i0, i1)
        const c = process.cpuUsage(c0)
        ours.push(performance.now() - t0)
        oursCpu.push((c.user + c.system) / 1000)
        const a = runOpenCv(p0, p1, pf, 0)
        cvT.push(a.ms.at(-1)!)
        cvThreads = a.threads
        const b = runOpenCv(p0, p1, pf, 1)
        cv1.push(b.ms.at(-1)!)
        cv1Cpu.push(b.cpu_ms.at(-1)!)
      }
      runOpenCv(p0, p1, pf, 0)
      const cvFlow = readFlo(readFileSync(pf))
      const mask = interiorMask(w, h, 8)
      const tOurs = median(ours)
      const tCvT = median(cvT)
      const tCv1 = median(cv1)
      rows.push(
        [
          `${w}x${h}`.padEnd(8),
          tOurs.toFixed(1).padStart(9),
          `${tCvT.toFixed(1)} (${cvThreads})`.padStart(14),
          tCv1.toFixed(1).padStart(14),
          (tOurs / tCvT).toFixed(2).padStart(11),
          (tOurs / tCv1).toFixed(2).padStart(11),
          endPointError(flow, truth, mask).toFixed(4).padStart(9),
          endPointError(cvFlow, truth, mask).toFixed(4).padStart(7),
          endPointError(flow, cvFlow, mask).toFixed(4).padStart(8),
        ].join(' '),
      )
      cpuRows.push(
        [
          `${w}x${h}`.padEnd(8),
          median(oursCpu).toFixed(1).padStart(12),
          median(cv1Cpu).toFixed(1).padStart(14),
          (median(oursCpu) / median(cv1Cpu)).toFixed(2).padStart(7),
        ].join(' '),
      )
      console.log(rows.at(-1))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`\n${header}`)
  for (const r of rows) console.log(r)
  console.log('ratio = ours ms / OpenCV ms (< 1: ours is faster); ours runs on one thread.')
  console.log('\nsize      ours CPU ms  cv CPU ms (1 thr)  ratio')
  for (const r of cpuRows) console.log(r)
}

async function heldOut(sizes: Size[]): Promise<void> {
  const photos = heldOutPhotos()
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-held-out-'))
  console.log(`\nheld-out pairs (${photos.length} photos); EPE px, border of 8 px excluded`)
  console.log('size     photo        flow          px  noise  CLI preset  OpenCV defaults (ours)  OpenCV')
  try {
    for (const [w, h] of sizes) {
      for (const [k, c] of HELD_OUT_CASES.entries()) {
        const photo = photos[k % photos.length]!
        const truth = heldOutFlow(c.kind, w, h, c.magnitude)
        const { i0, i1 } = await renderHeldOutPair(photo, truth, c.noise, 11 + k)
        const p0 = join(dir, 'i0.png')
        const p1 = join(dir, 'i1.png')
        const pf = join(dir, 'cv.flo')
        writeFileSync(p0, await grayPng(i0))
        writeFileSync(p1, await grayPng(i1))
        runOpenCv(p0, p1, pf, 0, 1)
        const mask = interiorMask(w, h, 8)
        const cli = endPointError(tvl1Flow(i0, i1, TVL1_FLOW_PRESET), truth, mask)
        const defaults = endPointError(tvl1Flow(i0, i1), truth, mask)
        const cv = endPointError(readFlo(readFileSync(pf)), truth, mask)
        console.log(
          `${`${w}x${h}`.padEnd(8)} ${basename(photo).slice(0, 12).padEnd(12)} ${c.kind.padEnd(12)} ${String(c.magnitude).padStart(3)}  ${String(c.noise).padStart(5)}  ${cli.toFixed(4).padStart(10)}${cli > cv ? '!' : ' '} ${defaults.toFixed(4).padStart(22)}  ${cv.toFixed(4).padStart(6)}`,
        )
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Wall ms of one whole process. */
function timed(command: string, args: string[]): number {
  const t0 = performance.now()
  const child = spawnSync(command, args, { encoding: 'utf8' })
  const ms = performance.now() - t0
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${child.stderr}`)
  return ms
}

async function wholeProcess(sizes: Size[], runs: number): Promise<void> {
  const photo = heldOutPhotos()[0]!
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-process-'))
  const rows: string[] = []
  try {
    for (const [w, h] of sizes) {
      const truth = heldOutFlow('smooth', w, h, 1.5)
      const { i0, i1 } = await renderHeldOutPair(photo, truth, 1, 5)
      const p0 = join(dir, `${w}-0.png`)
      const p1 = join(dir, `${w}-1.png`)
      writeFileSync(p0, await grayPng(i0))
      writeFileSync(p1, await grayPng(i1))
      const ours: number[] = []
      const cv: number[] = []
      for (let r = 0; r <= runs; r++) {
        const a = timed(process.execPath, [CLI, 'flow', p0, p1, '--out', join(dir, 'ours.flo'), '--force'])
        const b = timed(PY, [SCRIPT, p0, p1, join(dir, 'cv.flo'), '1', '0'])
        if (r > 0) ours.push(a) // run 0 warms the file cache
        if (r > 0) cv.push(b)
      }
      const mask = interiorMask(w, h, 8)
      const epeOurs = endPointError(readFlo(readFileSync(join(dir, 'ours.flo'))), truth, mask)
      const epeCv = endPointError(readFlo(readFileSync(join(dir, 'cv.flo'))), truth, mask)
      rows.push(
        `${`${w}x${h}`.padEnd(8)} ${median(ours).toFixed(0).padStart(13)} ${median(cv).toFixed(0).padStart(16)} ${(median(ours) / median(cv)).toFixed(2).padStart(6)} ${epeOurs.toFixed(4).padStart(9)} ${epeCv.toFixed(4).padStart(7)}`,
      )
      console.log(rows.at(-1))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log(`\nwhole process, ${runs} interleaved runs: me-studio flow vs python3 + cv2 DualTVL1 (default threads)`)
  console.log('size     me-studio ms  python+cv2 ms  ratio  EPE ours  EPE cv')
  for (const r of rows) console.log(r)
}

await main()
