/**
 * TV-L1: ours vs native OpenCV (Debian python3-opencv through /usr/bin/python3) on the same
 * frame pairs with the same (OpenCV default) parameters.
 *
 *   npx tsx bench/tvl1.bench.ts [--sizes 112x112,224x224,640x480] [--repeats 3] [--threads 0]
 *
 * Prints per size: median ms of each, the time ratio ours/OpenCV, the EPE of each against the
 * known flow (border of 8 px excluded), and the mean EPE between the two flows.
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

async function main(): Promise<void> {
  const sizes = arg('sizes', '112x112,224x224,640x480').split(',').map((s) => s.split('x').map(Number) as [number, number])
  const repeats = Number(arg('repeats', '3'))
  const threads = Number(arg('threads', '0'))
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-bench-'))
  const rows: string[] = []
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

      const cvOut = JSON.parse(execFileSync(PY, [SCRIPT, p0, p1, pf, String(repeats), String(threads)], { encoding: 'utf8' })) as {
        ms: number[]
        threads: number
      }
      const cvFlow = readFlo(readFileSync(pf))

      const ours: number[] = []
      let flow = tvl1Flow(i0, i1) // warm-up (JIT)
      for (let r = 0; r < repeats; r++) {
        const t0 = performance.now()
        flow = tvl1Flow(i0, i1)
        ours.push(performance.now() - t0)
      }
      const mask = interiorMask(w, h, 8)
      const tOurs = median(ours)
      const tCv = median(cvOut.ms)
      rows.push(
        [
          `${w}x${h}`.padEnd(8),
          tOurs.toFixed(1).padStart(9),
          tCv.toFixed(1).padStart(9),
          (tOurs / tCv).toFixed(2).padStart(7),
          endPointError(flow, truth, mask).toFixed(4).padStart(9),
          endPointError(cvFlow, truth, mask).toFixed(4).padStart(9),
          endPointError(flow, cvFlow, mask).toFixed(4).padStart(9),
          String(cvOut.threads).padStart(4),
        ].join(' '),
      )
      console.log(rows.at(-1))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  console.log('\nsize      ours ms  opencv ms  ratio  EPE ours  EPE cv  ours↔cv  cv-threads')
  for (const r of rows) console.log(r)
}

await main()
