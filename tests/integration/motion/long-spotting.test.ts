import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StudioError } from '@shared/ipc'
import { countSpotting, poolSpotting, type KindInterval } from '@shared/metrics/spotting'
import { requireFfmpeg } from '../../../src/main/services/ffmpeg-locator'
import { MediaService } from '../../../src/main/services/media'
import { spotLongClip } from '../../../src/main/services/motion/interval-spotting'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'
import { runCliCaptured } from '../../helpers/cli'
import { longSynthFixture, type LongSynthFixture } from '../../helpers/long-synth-fixture'
import { scratchDir } from '../../unit/project/project-fixture'

/**
 * Long-video interval spotting end to end on generated CAS(ME)²-shaped videos (12 s, 30 fps,
 * 192×144): frame folders and an H.264 encoding of one, the MEGC evaluation, and bad input.
 */
const scratch = scratchDir('me-long-spot-')
let ds: LongSynthFixture
let pool: VisionPool
beforeAll(async () => {
  ds = await longSynthFixture()
  pool = new VisionPool({ ...visionWorkerLocation(), size: 2 })
}, 120_000)
afterAll(async () => {
  await pool.destroy()
  scratch.cleanup()
})

const expressions = (intervals: { onset: number; offset: number; kind: KindInterval['kind']; label: string }[]) =>
  intervals.filter((i) => i.label === 'expression').map(({ onset, offset, kind }) => ({ onset, offset, kind }))

describe('long-video interval spotting', () => {
  it('spots the generated expressions in frame folders at F1 ≥ 0.7, in file numbers, with progress', async () => {
    const counts = []
    for (const video of ds.truth.videos) {
      const progress: number[] = []
      const result = await spotLongClip(ds.clipPath(video), { media: new MediaService(), pool }, { fps: 30, chunkFrames: 16, onProgress: (p) => progress.push(p.done) })
      expect(result.frames).toBe(video.frameCount)
      expect(result.frameNumbers).toEqual({ first: 1, last: video.frameCount })
      expect(result.curve).toHaveLength(video.frameCount)
      expect(progress.at(-1)).toBe(video.frameCount)
      expect([...progress].sort((a, b) => a - b)).toEqual(progress)
      counts.push(countSpotting(video.expressions, expressions(result.intervals)))
      // Every blink of the video is either labelled a blink or not spotted; never an expression.
      for (const blink of video.distractors.filter((d) => d.kind === 'blink')) {
        expect(result.intervals.filter((i) => i.label === 'expression' && i.onset <= blink.offset && i.offset >= blink.onset)).toEqual([])
      }
    }
    expect(poolSpotting(counts).overall.f1).toBeGreaterThanOrEqual(0.7)
  }, 120_000)

  it('spots a video file with 0-based frame numbers', async () => {
    const video = ds.truth.videos[0]!
    const mp4 = join(scratch.dir, 'long.mp4')
    execFileSync(await requireFfmpeg(), ['-hide_banner', '-loglevel', 'error', '-framerate', '30', '-i', join(ds.clipPath(video), 'img%d.jpg'), '-c:v', 'libx264', '-crf', '14', '-pix_fmt', 'yuv420p', mp4])
    const result = await spotLongClip(mp4, { media: new MediaService(), pool })
    expect(result.fps).toBe(30)
    expect(result.frames).toBe(video.frameCount)
    expect(result.frameNumbers).toEqual({ first: 0, last: video.frameCount - 1 })
    const truth = video.expressions.map((e) => ({ onset: e.onset - 1, offset: e.offset - 1, kind: e.kind }))
    expect(poolSpotting([countSpotting(truth, expressions(result.intervals))]).overall.f1).toBeGreaterThanOrEqual(0.7)
  }, 120_000)

  it('prints an empty list (exit 0) when nothing moves', async () => {
    const folder = join(scratch.dir, 'still')
    await mkdir(folder, { recursive: true })
    const first = join(ds.clipPath(ds.truth.videos[0]!), 'img1.jpg')
    for (let n = 1; n <= 90; n++) await copyFile(first, join(folder, `img${n}.jpg`))
    const { code, stdout } = await runCliCaptured(['spot', folder, '--intervals', '--json'], scratch.dir)
    expect(code).toBe(0)
    const out = JSON.parse(stdout) as { intervals: unknown[]; frames: number; fps: number }
    expect(out).toMatchObject({ intervals: [], frames: 90, fps: 30 })
  }, 60_000)

  it('says so when there is no face', async () => {
    const folder = join(scratch.dir, 'noface')
    await mkdir(folder, { recursive: true })
    for (let n = 1; n <= 20; n++) {
      await sharp(Buffer.alloc(96 * 72, 40 + n), { raw: { width: 96, height: 72, channels: 1 } }).jpeg().toFile(join(folder, `img${n}.jpg`))
    }
    await expect(spotLongClip(folder, { media: new MediaService(), pool })).rejects.toThrow(/No face found in .*needs a visible face/)
    const { code, stderr } = await runCliCaptured(['spot', folder, '--intervals'], scratch.dir)
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/No face found/)
  }, 60_000)

  it('warns about dropped frames and spots the frames there are', async () => {
    const video = ds.truth.videos[1]!
    const folder = join(scratch.dir, 'dropped')
    await mkdir(folder, { recursive: true })
    // Frames 101–110 missing, as CAS(ME)³ recordings drop frames.
    for (const file of await readdir(ds.clipPath(video))) {
      const n = Number(/\d+/.exec(file)![0])
      if (n < 101 || n > 110) await copyFile(join(ds.clipPath(video), file), join(folder, file))
    }
    const result = await spotLongClip(folder, { media: new MediaService(), pool }, { fps: 30 })
    expect(result.frames).toBe(video.frameCount - 10)
    expect(result.warnings.join('\n')).toMatch(/10 frame number\(s\) missing \(first gap 100 → 111\)/)
  }, 60_000)

  it('warns about variable frame timing in a video', async () => {
    const video = ds.truth.videos[0]!
    const mp4 = join(scratch.dir, 'vfr.mp4')
    // Half a second missing after frame 150, as a recorder that dropped frames writes it.
    execFileSync(await requireFfmpeg(), [
      '-hide_banner', '-loglevel', 'error', '-framerate', '30', '-i', join(ds.clipPath(video), 'img%d.jpg'),
      '-vf', 'setpts=N/30/TB+gte(N\\,150)*0.5/TB', '-vsync', 'vfr', '-c:v', 'libx264', '-crf', '14', '-pix_fmt', 'yuv420p', mp4,
    ])
    const result = await spotLongClip(mp4, { media: new MediaService(), pool }, { fps: 30 })
    expect(result.frames).toBe(video.frameCount)
    expect(result.warnings.join('\n')).toMatch(/variable frame timing: frame intervals from .* to 53[0-9.]* ms/)
  }, 120_000)

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    const run = spotLongClip(ds.clipPath(ds.truth.videos[0]!), { media: new MediaService(), pool }, { signal: controller.signal, chunkFrames: 8, onProgress: () => controller.abort() })
    await expect(run).rejects.toSatisfy((e) => e instanceof StudioError && e.code === 'cancelled')
  }, 60_000)
})

describe('me-studio spot --intervals and evaluate-spotting', () => {
  it('evaluates spot outputs against an imported project and against ground-truth.json', async () => {
    const files: string[] = []
    for (const [i, video] of ds.truth.videos.entries()) {
      const { code, stdout } = await runCliCaptured(['spot', ds.clipPath(video), '--intervals', '--json', '--kinds', 'micro,macro'], scratch.dir)
      expect(code).toBe(0)
      const out = JSON.parse(stdout) as { intervals: { onset: number; apex: number; offset: number; kind: string; confidence: number }[]; frames: number; fps: number }
      expect(out.frames).toBe(video.frameCount)
      for (const interval of out.intervals) {
        expect(interval.onset <= interval.apex && interval.apex <= interval.offset).toBe(true)
        expect(['micro', 'macro']).toContain(interval.kind)
      }
      files.push(`spot-${i}.json`)
      await writeFile(join(scratch.dir, files.at(-1)!), stdout)
    }
    const { code: imported } = await runCliCaptured(['import', ds.root, '--project', 'long.meproj', '--format', 'casme2-long', '--labels', ds.labelPath], scratch.dir)
    expect(imported).toBe(0)
    const predictions = files.flatMap((f) => ['--predictions', f])
    const project = await runCliCaptured(['evaluate-spotting', '--project', 'long.meproj', ...predictions, '--json'], scratch.dir)
    expect(project.code).toBe(0)
    const byProject = JSON.parse(project.stdout) as { pooled: { overall: { f1: number } }; videos: { video: string; truths: number }[]; unpredicted: string[] }
    expect(byProject.videos.map((v) => [v.video, v.truths])).toEqual(ds.truth.videos.map((v) => [`${v.subject}/${v.video}`, v.expressions.length]))
    expect(byProject.unpredicted).toEqual([])
    expect(byProject.pooled.overall.f1).toBeGreaterThanOrEqual(0.7)
    const synthetic = await runCliCaptured(['evaluate-spotting', '--truth', join(ds.root, 'ground-truth.json'), ...predictions, '--json'], scratch.dir)
    expect(JSON.parse(synthetic.stdout)).toMatchObject({ pooled: byProject.pooled })
    const text = await runCliCaptured(['evaluate-spotting', '--truth', join(ds.root, 'ground-truth.json'), ...predictions], scratch.dir)
    expect(text.stdout).toMatch(/^Spotting, IoU ≥ 0\.5 \(MEGC pooling/)
    expect(text.stdout).toMatch(/pooled .* overall F1 +\d+%/)
  }, 180_000)

  it('rejects options that do not go together', async () => {
    expect((await runCliCaptured(['spot', 'x', '--json'], scratch.dir)).stderr).toMatch(/--json goes with --intervals/)
    expect((await runCliCaptured(['spot', 'x', '--intervals', '--kinds', 'tiny'], scratch.dir)).stderr).toMatch(/--kinds must list micro and\/or macro/)
    expect((await runCliCaptured(['evaluate-spotting'], scratch.dir)).stderr).toMatch(/exactly one of --project and --truth/)
  })
})
