/**
 * Frame-exact video decoding: decode throughput and random-seek latency on a generated
 * 640×480, 200 fps H.264 clip (the `me-studio synth --format video` generator).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/media.bench.ts [--seconds 1] [--seeks 20] [--size 640x480]
 *
 * Prints the one-off index time (full decode, exact frame count), sequential decode fps in gray
 * and RGB (one ffmpeg run), random-seek latency (one short ffmpeg run per frame, seeking to the
 * exact frame), cached reads, and the ratios random seek : sequential frame and uncached : cached.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireFfmpeg } from '../src/main/services/ffmpeg-locator'
import { MediaService } from '../src/main/services/media'
import { createRandom } from '../src/main/services/synth/random'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const seconds = Number(arg('seconds', '1'))
const seeks = Number(arg('seeks', '20'))
const [width, height] = arg('size', '640x480').split('x').map(Number) as [number, number]

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

const ffmpeg = await requireFfmpeg()
const dir = mkdtempSync(join(tmpdir(), 'me-media-bench-'))
try {
  let started = performance.now()
  const truth = await generateSyntheticDataset({
    outDir: dir,
    format: 'video',
    subjects: 1,
    samplesPerSubject: 1,
    width,
    height,
    fps: 200,
    durationSeconds: [seconds, seconds],
    ffmpegPath: ffmpeg,
  })
  const sample = truth.samples[0]!
  const clipPath = join(dir, ...sample.path.split('/'))
  console.log(`clip: ${width}x${height}, ${sample.frameCount} frames @ ${sample.fps} fps, H.264 (crf 12, GOP 50), generated in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  console.log(`ffmpeg: ${ffmpeg}`)

  const sequentialService = new MediaService({ ffmpeg: async () => ffmpeg, readAhead: sample.frameCount })
  started = performance.now()
  const clip = await sequentialService.open(clipPath)
  const indexMs = performance.now() - started
  console.log(`index (full decode, exact count ${clip.frameCount}): ${indexMs.toFixed(0)} ms`)

  const sequential: Record<string, number> = {}
  for (const mode of ['gray', 'rgb'] as const) {
    started = performance.now()
    await sequentialService.readFrames(clipPath, 0, clip.frameCount, mode)
    const ms = performance.now() - started
    sequential[mode] = ms / clip.frameCount
    console.log(`sequential decode ${mode.padEnd(4)}: ${((clip.frameCount * 1000) / ms).toFixed(0)} fps (${sequential[mode]!.toFixed(2)} ms/frame)`)
  }

  // Random seeks: no read-ahead and a one-frame cache, so every read is a fresh exact seek.
  const seekService = new MediaService({ ffmpeg: async () => ffmpeg, readAhead: 1, cacheBytes: width * height })
  await seekService.open(clipPath)
  const random = createRandom(42)
  const seekMs: number[] = []
  for (let i = 0; i < seeks; i++) {
    const index = random.int(0, clip.frameCount - 1)
    started = performance.now()
    await seekService.readFrame(clipPath, index, 'gray')
    seekMs.push(performance.now() - started)
  }
  const seekMedian = percentile(seekMs, 0.5)
  console.log(`random seek gray (${seeks} seeks): median ${seekMedian.toFixed(1)} ms, p95 ${percentile(seekMs, 0.95).toFixed(1)} ms, max ${Math.max(...seekMs).toFixed(1)} ms`)

  const cachedMs: number[] = []
  for (let i = 0; i < seeks; i++) {
    const index = random.int(0, clip.frameCount - 1)
    started = performance.now()
    await sequentialService.readFrame(clipPath, index, 'gray')
    cachedMs.push(performance.now() - started)
  }
  const cachedMedian = percentile(cachedMs, 0.5)
  console.log(`cached read gray: median ${cachedMedian.toFixed(3)} ms`)
  console.log(
    `ratio: random seek / sequential frame = ${(seekMedian / sequential.gray!).toFixed(1)}×; ` +
      `uncached seek / cached read = ${(seekMedian / Math.max(cachedMedian, 1e-3)).toFixed(0)}×`,
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
