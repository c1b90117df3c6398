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
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { endPointError } from '../src/main/vision/image'
import { readFlo } from '../src/main/vision/flo'
import { tvl1Flow } from '../src/main/vision/tvl1'
import { grayPng, interiorMask, loadFace, makePair, smoothFlow } from '../tests/unit/vision/synthetic'

const PY = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('./opencv_tvl1.py', import.meta.url))

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
function runOpenCv(p0: string, p1: string, pf: string, threads: number): CvRun {
  return JSON.parse(execFileSync(PY, [SCRIPT, p0, p1, pf, '2', String(threads)], { encoding: 'utf8' })) as CvRun
}

async function main(): Promise<void> {
  const sizes = arg('sizes', '112x112,224x224,640x480')
    .split(',')
    .map((s) => s.split('x').map(Number) as [number, number])
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

await main()
