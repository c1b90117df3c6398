/**
 * Long-video interval spotting on generated CAS(ME)²-shaped videos (`me-studio synth --format
 * long`: micro- and macro-expressions among blinks, head-motion bursts, drift and noise).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/spotting-long.bench.ts [--seeds 1,2,3] [--fps 30,200]
 *       [--duration 20-30] [--size 320x240] [--speed-size 640x480] [--speed-duration 30] [--workers 2]
 *
 * 1. Accuracy: for each frame rate and seed, one subject × 2 videos; F1 (IoU ≥ 0.5, MEGC: TP/FP/FN
 *    summed over the videos) per kind and overall, per frame rate and pooled.
 * 2. Speed: one 640×480 video at 30 fps and one at 200 fps, spotted from its JPEG frames (as
 *    CAS(ME)² ships) and from an H.264 encoding; video seconds per wall second ("× real time"),
 *    the wall clock covering everything `me-studio spot --intervals` does (open, face, decode, spot);
 *    with the CPU time (this process's threads + ffmpeg's) per frame and the rate that CPU time
 *    allows on that many free cores — the honest figure on a shared, loaded machine.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { countSpotting, poolSpotting, type SpotCounts, type SpotKind, type SpotReport } from '../src/shared/metrics/spotting'
import { requireFfmpeg } from '../src/main/services/ffmpeg-locator'
import { MediaService } from '../src/main/services/media'
import { spotLongClip } from '../src/main/services/motion/interval-spotting'
import { generateLongDataset } from '../src/main/services/synth/long'
import { VisionPool } from '../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../src/main/workers/vision-worker-location'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}
const range = (text: string): [number, number] => {
  const [a, b] = text.split('-').map(Number)
  return [a!, b ?? a!]
}
const size = (text: string) => text.split('x').map(Number) as [number, number]

const seeds = arg('seeds', '1,2,3').split(',').map(Number)
const rates = arg('fps', '30,200').split(',').map(Number)
const duration = range(arg('duration', '20-30'))
const [width, height] = size(arg('size', '320x240'))
const [speedWidth, speedHeight] = size(arg('speed-size', '640x480'))
const speedSeconds = Number(arg('speed-duration', '30'))
const workers = Number(arg('workers', '2'))

const f = (v: number | null) => (v === null ? '  –  ' : v.toFixed(3))
const line = (r: SpotReport) =>
  (['micro', 'macro', 'overall'] as const).map((k) => `${k} F1 ${f(r[k].f1)} (P ${f(r[k].precision)} R ${f(r[k].recall)}; TP ${r[k].tp} FP ${r[k].fp} FN ${r[k].fn})`).join('  ')

/** CPU time of this process's finished children (ffmpeg), ms: /proc/self/stat cutime + cstime (Linux; 0 elsewhere). */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100
  } catch {
    return 0
  }
}

const dir = mkdtempSync(join(tmpdir(), 'me-spot-long-bench-'))
const pool = new VisionPool({ ...visionWorkerLocation(), size: workers })
try {
  console.log(`load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}; ${workers} vision workers`)
  const all: Record<SpotKind, SpotCounts>[] = []
  for (const fps of rates) {
    const perRate: Record<SpotKind, SpotCounts>[] = []
    for (const seed of seeds) {
      const out = join(dir, `acc-${fps}-${seed}`)
      const truth = await generateLongDataset({ outDir: out, subjects: 1, videosPerSubject: 2, seed, fps, width, height, durationSeconds: duration })
      for (const video of truth.videos) {
        const result = await spotLongClip(join(out, video.path), { media: new MediaService(), pool }, { fps })
        const predicted = result.intervals.filter((i) => i.label === 'expression').map(({ onset, offset, kind }) => ({ onset, offset, kind }))
        const counts = countSpotting(video.expressions, predicted)
        perRate.push(counts)
        const r = poolSpotting([counts])
        const rejected = result.intervals.filter((i) => i.label !== 'expression').map((i) => i.label)
        console.log(
          `  ${fps} fps seed ${seed} ${video.video.padEnd(24)} ${(video.frameCount / fps).toFixed(0)} s: ${video.expressions.length} truths, ${predicted.length} spotted; ` +
            `overall TP ${r.overall.tp} FP ${r.overall.fp} FN ${r.overall.fn}; set apart: ${rejected.length ? rejected.join(', ') : 'none'} ` +
            `(generated ${video.distractors.map((d) => d.kind).join(', ') || 'no distractors'})`,
        )
      }
      rmSync(out, { recursive: true, force: true })
    }
    all.push(...perRate)
    console.log(`${fps} fps (${seeds.length} seeds × 2 videos, ${width}x${height}): ${line(poolSpotting(perRate))}`)
  }
  console.log(`pooled over all: ${line(poolSpotting(all))}`)

  const ffmpeg = await requireFfmpeg()
  for (const fps of rates) {
    const out = join(dir, `speed-${fps}`)
    const truth = await generateLongDataset({ outDir: out, subjects: 1, videosPerSubject: 1, seed: 11, fps, width: speedWidth, height: speedHeight, durationSeconds: [speedSeconds, speedSeconds] })
    const video = truth.videos[0]!
    const folder = join(out, video.path)
    const mp4 = join(out, 'video.mp4')
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-framerate', String(fps), '-i', join(folder, 'img%d.jpg'), '-c:v', 'libx264', '-crf', '16', '-pix_fmt', 'yuv420p', mp4])
    const seconds = video.frameCount / fps
    for (const [kind, path] of [['JPEG frames', folder], ['H.264 video', mp4]] as const) {
      const started = performance.now()
      const cpu = process.cpuUsage()
      const children = childrenCpuMs()
      const result = await spotLongClip(path, { media: new MediaService(), pool }, { fps })
      const wall = (performance.now() - started) / 1000
      const own = process.cpuUsage(cpu)
      const ownMs = (own.user + own.system) / 1000
      const ffmpegMs = childrenCpuMs() - children
      const predicted = result.intervals.filter((i) => i.label === 'expression').map(({ onset, offset, kind: k }) => ({ onset: onset + (kind === 'H.264 video' ? 1 : 0), offset: offset + (kind === 'H.264 video' ? 1 : 0), kind: k }))
      const r = poolSpotting([countSpotting(video.expressions, predicted)])
      const perFrame = (ownMs + ffmpegMs) / video.frameCount
      console.log(
        `speed ${speedWidth}x${speedHeight} @ ${fps} fps, ${kind}: ${seconds.toFixed(0)} s video in ${wall.toFixed(1)} s = ${(seconds / wall).toFixed(1)}× real time ` +
          `(${((wall * 1000) / video.frameCount).toFixed(2)} ms/frame wall; CPU ${(ownMs / video.frameCount).toFixed(2)} ms/frame in this process (all threads) + ${(ffmpegMs / video.frameCount).toFixed(2)} in ffmpeg; ` +
          `CPU-bound on ${workers} free cores: ${(1000 / perFrame / fps * workers).toFixed(1)}× real time); overall F1 ${f(r.overall.f1)}; load ${loadavg()[0]!.toFixed(1)}`,
      )
    }
    rmSync(out, { recursive: true, force: true })
  }
} finally {
  await pool.destroy()
  rmSync(dir, { recursive: true, force: true })
}
