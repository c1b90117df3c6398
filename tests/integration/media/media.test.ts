import { EventEmitter } from 'node:events'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import { openDataset } from '../../../src/main/services/datasets'
import { requireFfmpeg } from '../../../src/main/services/ffmpeg-locator'
import { MediaRoots, MediaRouter } from '../../../src/main/services/media/media-router'
import { MediaService, defaultSpawn, indexVideo, registerFrameRoutes, runFfmpeg, type DecodedFrame, type SpawnFunction } from '../../../src/main/services/media'
import { synthFixture, type SynthFixture } from '../../helpers/synth-fixture'

let ffmpeg: string
let video: SynthFixture
let frames: SynthFixture
let dir: string

beforeAll(async () => {
  ffmpeg = await requireFfmpeg()
  // Same seed and size: the casme2 frames are the very pixels the video was encoded from.
  ;[video, frames] = await Promise.all([synthFixture({ format: 'video' }), synthFixture({ format: 'casme2' })])
  dir = await mkdtemp(join(tmpdir(), 'me-media-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const service = () => new MediaService({ ffmpeg: async () => ffmpeg, readAhead: 8 })

function meanAbsDiff(a: DecodedFrame, b: DecodedFrame): number {
  let sum = 0
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!)
  return sum / a.data.length
}

describe('video decoding', () => {
  it('indexes a video exactly: frame count, size and rate', async () => {
    const truth = video.truth.samples[0]!
    const clip = await service().open(video.clipPath(truth))
    expect(clip).toMatchObject({ kind: 'video', frameCount: truth.frameCount, width: 128, height: 128, fps: 200 })
    expect(clip.frameNumbers).toEqual(Array.from({ length: truth.frameCount }, (_, i) => i))
    // The generator encodes with a GOP of 50 frames.
    const index = await indexVideo(video.clipPath(truth), { ffmpeg })
    expect(index.keyframes).toEqual([0, 50])
    expect(index.times[1]! - index.times[0]!).toBeCloseTo(1 / 200, 9)
  })

  it('frame N of the mp4 is frame N of the source images (within codec tolerance; N±1 match worse)', async () => {
    const media = service()
    for (let s = 0; s < 2; s++) {
      const count = frames.truth.samples[s]!.frameCount
      expect(video.truth.samples[s]!.frameCount).toBe(count)
      const decoded = await media.readFrames(video.clipPath(video.truth.samples[s]!), 0, count, 'rgb')
      const source = await media.readFrames(frames.clipPath(frames.truth.samples[s]!), 0, count, 'rgb')
      for (let n = 0; n < count; n++) expect(meanAbsDiff(decoded[n]!, source[n]!), `frame ${n}`).toBeLessThan(4)
      // Consecutive frames differ by sensor noise and the movement: summed over the clip, an
      // off-by-one pairing must match worse than the exact one.
      const pairing = (shift: number) => {
        let total = 0
        for (let n = 1; n < count - 1; n++) total += meanAbsDiff(decoded[n]!, source[n + shift]!)
        return total / (count - 2)
      }
      expect(pairing(0)).toBeLessThan(pairing(-1))
      expect(pairing(0)).toBeLessThan(pairing(1))
    }
  })

  it('random seeks return exactly the frames of one sequential decode, in gray and RGB', async () => {
    const path = video.clipPath(video.truth.samples[1]!)
    const sequential = await new MediaService({ ffmpeg: async () => ffmpeg, readAhead: 1000 }).readFrames(path, 0, video.truth.samples[1]!.frameCount, 'gray')
    const seeking = new MediaService({ ffmpeg: async () => ffmpeg, readAhead: 1 })
    for (const n of [50, 3, 27, 0, sequential.length - 1, 26]) {
      expect(Buffer.compare(Buffer.from((await seeking.readFrame(path, n, 'gray')).data), Buffer.from(sequential[n]!.data)), `frame ${n}`).toBe(0)
    }
    const rgb = await seeking.readFrame(path, 10, 'rgb')
    expect(rgb.channels).toBe(3)
    expect(rgb.data.length).toBe(128 * 128 * 3)
  })

  it('reuses a persisted video index instead of decoding the whole video again', async () => {
    const indexCacheDir = join(dir, 'video-index')
    const path = video.clipPath(video.truth.samples[0]!)
    const first = await new MediaService({ ffmpeg: async () => ffmpeg, indexCacheDir }).open(path)
    let spawned = 0
    const counting: SpawnFunction = (command, args) => {
      spawned++
      return defaultSpawn(command, args)
    }
    const second = new MediaService({ ffmpeg: async () => ffmpeg, indexCacheDir, spawn: counting })
    expect(await second.open(path)).toEqual(first)
    expect(spawned).toBe(0)
    await second.readFrame(path, 3)
    expect(spawned).toBe(1)
  })

  it('keeps the cache under its byte bound', async () => {
    const media = new MediaService({ ffmpeg: async () => ffmpeg, cacheBytes: 128 * 128 * 5, readAhead: 16 })
    await media.readFrames(video.clipPath(video.truth.samples[0]!), 0, 20, 'gray')
    const stats = media.cacheStats()
    expect(stats.bytes).toBeLessThanOrEqual(128 * 128 * 5)
    expect(stats.entries).toBe(5)
  })
})

describe('bad video files', () => {
  it('gives specific errors for truncated, renamed-text and empty files, and the rest of the dataset still opens', async () => {
    const root = join(dir, 'mixed')
    await mkdir(join(root, 's01'), { recursive: true })
    const good = video.clipPath(video.truth.samples[0]!)
    await copyFile(good, join(root, 's01', 'good.mp4'))
    const bytes = await readFile(good)
    await writeFile(join(root, 's01', 'truncated.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)))
    await writeFile(join(root, 's01', 'text.mp4'), 'subject,sample\nthis is a csv file renamed to .mp4\n')
    await writeFile(join(root, 's01', 'empty.mp4'), '')

    const media = service()
    await expect(media.open(join(root, 's01', 'truncated.mp4'))).rejects.toMatchObject({ code: 'media/corrupt' })
    await expect(media.open(join(root, 's01', 'text.mp4'))).rejects.toMatchObject({ code: 'media/unsupported' })
    await expect(media.open(join(root, 's01', 'empty.mp4'))).rejects.toMatchObject({ code: 'media/corrupt' })
    await expect(media.open(join(root, 's01', 'missing.mp4'))).rejects.toMatchObject({ code: 'not-found' })

    const opened = await openDataset(root, media)
    expect(opened.scan.samples.map((s) => s.name)).toEqual(['good'])
    expect(opened.scan.samples[0]!.clip.frameCount).toBe(video.truth.samples[0]!.frameCount)
    const skipped = opened.problems.filter((p) => p.code === 'dataset/unreadable-clip' && p.severity === 'error')
    expect(skipped.map((p) => p.sample).sort()).toEqual(['s01/empty', 's01/text', 's01/truncated'])
  })

  it('opens a truncated file whose header survived with the frames that decode, and says it is truncated', async () => {
    const good = video.clipPath(video.truth.samples[0]!)
    const faststart = join(dir, 'faststart.mp4')
    const remux = await runFfmpeg({ ffmpeg, args: ['-y', '-i', good, '-c', 'copy', '-movflags', '+faststart', faststart] })
    expect(remux.exitCode).toBe(0)
    const bytes = await readFile(faststart)
    const cut = join(dir, 'cut.mp4')
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const media = service()
    const clip = await media.open(cut)
    expect(clip.frameCount).toBeGreaterThan(0)
    expect(clip.frameCount).toBeLessThan(video.truth.samples[0]!.frameCount)
    expect((await media.warnings(cut))[0]).toMatch(/^truncated/)
    // The frames that decode are the right ones.
    const last = clip.frameCount - 1
    expect(Buffer.compare(Buffer.from((await media.readFrame(cut, last, 'gray')).data), Buffer.from((await service().readFrame(good, last, 'gray')).data))).toBe(0)
  })

  it('keeps only a bounded stderr tail and reports it when ffmpeg fails (injected spawn)', async () => {
    const spawn: SpawnFunction = () => {
      const child = new EventEmitter() as ChildProcessWithoutNullStreams
      const stderr = new PassThrough()
      Object.assign(child, { stdin: new PassThrough(), stdout: new PassThrough(), stderr, kill: () => true })
      setImmediate(() => {
        stderr.write('x'.repeat(100_000) + '\nInvalid data found when processing input\n')
        stderr.end()
        ;(child.stdout as PassThrough).end()
        setImmediate(() => child.emit('close', 1))
      })
      return child
    }
    const media = new MediaService({ ffmpeg: async () => 'ffmpeg', spawn })
    const error = await media.open(video.clipPath(video.truth.samples[0]!)).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'media/unsupported' })
    expect(((error as { details: { stderr: string } }).details.stderr).length).toBeLessThanOrEqual(4096)
  })
})

describe('video datasets and routes', () => {
  it('scans a generated video dataset with csv labels', async () => {
    const opened = await openDataset(video.root, service())
    expect(opened.summary).toMatchObject({ format: 'generic', samples: 4, subjects: 2, labelRows: 4, matchedRows: 4, errors: 0 })
    const row = opened.labels!.rows[0]!
    const truth = video.truth.samples[0]!
    expect(row).toMatchObject({ subject: truth.subjectLabel, sample: truth.sample, onset: truth.onsetIndex, apex: truth.apexIndex, offset: truth.offsetIndex })
  })

  it('serves frames, raw frames, thumbnails and filmstrips only inside opened roots', async () => {
    const roots = new MediaRoots()
    await roots.add(video.root)
    const router = new MediaRouter(roots)
    const media = service()
    registerFrameRoutes(router, media)
    const clip = encodeURIComponent(video.clipPath(video.truth.samples[0]!))
    const get = (path: string, query = '') => router.handle({ path, searchParams: new URLSearchParams(query), headers: new Headers(), method: 'GET' })

    const png = await get(`frame/${clip}/5.png`, 'mode=gray')
    expect(png.status).toBe(200)
    const meta = await sharp(Buffer.from(await png.arrayBuffer())).metadata()
    expect([meta.width, meta.height, meta.channels]).toEqual([128, 128, 1])

    const raw = await get(`frame/${clip}/5.raw`, 'mode=rgb')
    expect(raw.headers.get('x-frame-channels')).toBe('3')
    expect((await raw.arrayBuffer()).byteLength).toBe(128 * 128 * 3)

    const strip = await get(`filmstrip/${clip}.png`, 'count=4&height=32')
    expect(strip.headers.get('x-filmstrip-indices')?.split(',')).toHaveLength(4)
    expect((await sharp(Buffer.from(await strip.arrayBuffer())).metadata()).width).toBe(128)
    expect((await get(`thumb/${clip}/0.png`, 'size=64')).status).toBe(200)

    expect((await get(`frame/${encodeURIComponent(frames.clipPath(frames.truth.samples[0]!))}/0.png`)).status).toBe(403)
    expect((await get(`frame/${clip}/5.png`, 'mode=sepia')).status).toBe(400)
    const outside = await get(`frame/${clip}/9999.png`)
    expect(outside.headers.get('x-studio-error')).toBe('media/missing-frames')
  })

  it('extracts frames with `me-studio frames`', async () => {
    const out = join(dir, 'extracted')
    const lines: string[] = []
    const io = { stdout: (t: string) => lines.push(t), stderr: (t: string) => lines.push(t), isTty: false, env: process.env, cwd: dir }
    const code = await runCli(['frames', video.clipPath(video.truth.samples[0]!), '--range', '10:12', '--out', out], io)
    expect(code, lines.join('')).toBe(0)
    const written = await sharp(join(out, 'frame_00011.png')).raw().toBuffer({ resolveWithObject: true })
    expect(written.info).toMatchObject({ width: 128, height: 128, channels: 3 })
    const direct = await service().readFrame(video.clipPath(video.truth.samples[0]!), 11, 'rgb')
    expect(Buffer.compare(written.data, Buffer.from(direct.data))).toBe(0)
    expect(await runCli(['frames', video.clipPath(video.truth.samples[0]!), '--range', '500:501', '--out', out], io)).toBe(2)
    // Specific messages: past the end, reversed, a frame number missing from the sequence.
    const clip = video.clipPath(video.truth.samples[0]!)
    const failure = async (...argv: string[]) => {
      lines.length = 0
      const exit = await runCli(['frames', clip, ...argv], io)
      return { exit, text: lines.join('') }
    }
    expect(await failure('--range', '500:501', '--out', out)).toMatchObject({ exit: 2, text: expect.stringContaining("--range 500:501 starts after the clip's last frame") })
    expect(await failure('--range', '12:10', '--out', out)).toMatchObject({ exit: 2, text: expect.stringContaining('--range 12:10 is reversed: its first frame comes after its last (did you mean 10:12?)') })
    const gappy = join(dir, 'gappy')
    await mkdir(gappy)
    for (const n of [1, 2, 4, 7]) await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: n * 30, g: 0, b: 0 } } }).jpeg().toFile(join(gappy, `img${n}.jpg`))
    lines.length = 0
    expect(await runCli(['frames', gappy, '--numbers', '--range', '3:3', '--out', join(dir, 'gap-out')], io)).toBe(2)
    expect(lines.join('')).toContain('--range 3:3: frame number 3 is missing from the sequence (the nearest frames are 2 and 4)')
    expect(await runCli(['frames', gappy, '--numbers', '--range', '9:12', '--out', join(dir, 'gap-out')], io)).toBe(2)
    expect(lines.join('')).toContain('--range 9:12 is outside the clip (frame numbers 1..7)')
    // The --out folder holds frames now: another extraction needs --force.
    expect(await failure('--range', '10:10', '--out', out)).toMatchObject({ exit: 1, text: expect.stringContaining('is not empty') })
    expect(await failure('--range', '10:10', '--out', out, '--force')).toMatchObject({ exit: 0 })

    // Dataset frame numbers of an image sequence, grey.
    const truth = frames.truth.samples[0]!
    const numbered = join(dir, 'numbered')
    expect(await runCli(['frames', frames.clipPath(truth), '--range', `${truth.apex}:${truth.apex}`, '--numbers', '--gray', '--out', numbered], io)).toBe(0)
    const apex = await sharp(join(numbered, `frame_${String(truth.apexIndex).padStart(5, '0')}.png`)).metadata()
    expect([apex.width, apex.channels]).toEqual([128, 1])
  })
})
