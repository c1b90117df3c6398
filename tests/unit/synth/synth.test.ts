import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { megcClassOf } from '@shared/domain/dataset'
import { ACTION_SPECS, activation } from '../../../src/main/services/synth/actions'
import { drawSubjectAppearance, outputToPhoto, photoToOutput } from '../../../src/main/services/synth/face'
import { loadBundledFaces } from '../../../src/main/services/synth/faces'
import { generateSyntheticDataset } from '../../../src/main/services/synth/generate'
import { createRandom } from '../../../src/main/services/synth/random'
import { pinZipTimestamps } from '../../../src/main/services/formats/zip-timestamps'
import { synthFixture } from '../../helpers/synth-fixture'

const temporary: string[] = []
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'me-synth-'))
  temporary.push(dir)
  return dir
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort()
}

const small = { subjects: 2, samplesPerSubject: 2, width: 96, height: 96, durationSeconds: [0.3, 0.3] as [number, number] }

describe('synthetic generator', () => {
  it('writes byte-identical datasets for the same seed, different ones for another seed', async () => {
    const [a, b, c] = await Promise.all([tempDir(), tempDir(), tempDir()])
    await generateSyntheticDataset({ ...small, outDir: a, seed: 11 })
    await generateSyntheticDataset({ ...small, outDir: b, seed: 11 })
    await generateSyntheticDataset({ ...small, outDir: c, seed: 12 })
    const files = await listFiles(a)
    expect(files).toEqual(await listFiles(b))
    expect(files).toContain('CASME2-coding-20260101.xlsx')
    for (const file of files) {
      expect(Buffer.compare(await readFile(join(a, file)), await readFile(join(b, file))), file).toBe(0)
    }
    expect(await readFile(join(a, 'ground-truth.json'), 'utf8')).not.toBe(await readFile(join(c, 'ground-truth.json'), 'utf8'))
  })

  it('records consistent ground truth: timing, labels, MEGC classes and frame files', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    expect(ds.truth.samples).toHaveLength(4)
    for (const s of ds.truth.samples) {
      expect(s.onsetIndex).toBeGreaterThanOrEqual(Math.round(0.1 * s.fps))
      expect(s.onsetIndex).toBeLessThan(s.apexIndex)
      expect(s.apexIndex).toBeLessThan(s.offsetIndex)
      expect(s.offsetIndex).toBeLessThan(s.frameCount)
      expect(((s.offsetIndex - s.onsetIndex + 1) / s.fps) * 1000).toBeLessThanOrEqual(500)
      expect(s.onset).toBe(s.firstFrameNumber + s.onsetIndex)
      expect(s.megcClass).toBe(megcClassOf(s.emotion))
      expect(s.auCodes).toEqual(ACTION_SPECS[s.action].auCodes)
      const files = await readdir(ds.clipPath(s))
      expect(files).toHaveLength(s.frameCount)
      expect(files).toContain(`img${s.firstFrameNumber}.jpg`)
      expect(files).toContain(`img${s.apex}.jpg`)
    }
  })

  it('moves pixels only inside the recorded AU regions, by the recorded amplitude', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    for (const s of ds.truth.samples) {
      const flow = await ds.apexFlow(s)
      expect(flow.width).toBe(128)
      let inside = 0
      let total = 0
      let max = 0
      for (let y = 0; y < flow.height; y++) {
        for (let x = 0; x < flow.width; x++) {
          const m = Math.hypot(flow.u[y * flow.width + x]!, flow.v[y * flow.width + x]!)
          max = Math.max(max, m)
          total += m
          if (s.regions.some((r) => x >= r.box[0] && x <= r.box[2] && y >= r.box[1] && y <= r.box[3])) inside += m
        }
      }
      expect(max).toBeCloseTo(s.maxFlow, 3)
      expect(max).toBeGreaterThan(0.3)
      expect(max).toBeLessThan(2.5)
      // ±2σ boxes hold most of a Gaussian bump's mass (~0.91 per axis pair).
      expect(inside / total).toBeGreaterThan(0.8)

      // The apex frame differs from the onset frame mostly inside the regions (the rest is sensor noise).
      const [onset, apex] = await Promise.all(
        [s.onset, s.apex].map((n) => sharp(join(ds.clipPath(s), `img${n}.jpg`)).greyscale().raw().toBuffer()),
      )
      let diffInside = 0
      let pixelsInside = 0
      let diffOutside = 0
      let pixelsOutside = 0
      for (let i = 0; i < onset!.length; i++) {
        const x = i % 128
        const y = Math.floor(i / 128)
        const d = Math.abs(onset![i]! - apex![i]!)
        if (s.regions.some((r) => x >= r.box[0] && x <= r.box[2] && y >= r.box[1] && y <= r.box[3])) {
          diffInside += d
          pixelsInside++
        } else {
          diffOutside += d
          pixelsOutside++
        }
      }
      expect(diffInside / pixelsInside).toBeGreaterThan(diffOutside / pixelsOutside)
    }
  })

  it('places regions at the right landmarks: AU12 at the mouth corners, AU1+2 on the brows', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    for (const s of ds.truth.samples) {
      const mouthY = (s.landmarks.leftMouthCorner.y + s.landmarks.rightMouthCorner.y) / 2
      const eyeY = (s.landmarks.leftEye.y + s.landmarks.rightEye.y) / 2
      for (const region of s.regions) {
        if (s.action === 'AU12' || s.action === 'AU14') expect(Math.abs(region.centre.y - mouthY)).toBeLessThan(6)
        else expect(region.centre.y).toBeLessThan(eyeY)
      }
    }
  })

  it('inverts the subject warp to place landmarks', async () => {
    const [face] = await loadBundledFaces()
    const corner = face!.geometry.landmarks.leftMouthCorner
    const appearance = drawSubjectAppearance(createRandom(3), face!.geometry, 256, 256)
    const q = photoToOutput(appearance, corner)
    const back = outputToPhoto(appearance, q.x, q.y)
    expect(back.x).toBeCloseTo(corner.x, 4)
    expect(back.y).toBeCloseTo(corner.y, 4)
  })

  it('uses a raised-cosine temporal profile', () => {
    expect(activation(10, 10, 20, 40)).toBe(0)
    expect(activation(15, 10, 20, 40)).toBeCloseTo(0.5, 10)
    expect(activation(20, 10, 20, 40)).toBeCloseTo(1, 10)
    expect(activation(30, 10, 20, 40)).toBeCloseTo(0.5, 10)
    expect(activation(40, 10, 20, 40)).toBe(0)
    expect(activation(5, 10, 20, 40)).toBe(0)
  })

  it('draws approximately standard-normal sensor noise', () => {
    const random = createRandom(5)
    let sum = 0
    let squares = 0
    const n = 100_000
    for (let i = 0; i < n; i++) {
      const g = random.approximateGaussian()
      sum += g
      squares += g * g
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02)
    expect(squares / n).toBeCloseTo(1, 1)
  })

  it('refuses bad options with invalid-input', async () => {
    const dir = await tempDir()
    await expect(generateSyntheticDataset({ outDir: dir, width: 101 })).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(generateSyntheticDataset({ outDir: dir, subjects: 0 })).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(generateSyntheticDataset({ outDir: dir, format: 'video' })).rejects.toMatchObject({ code: 'media/ffmpeg-missing' })
  })

  it('normalises zip entry timestamps', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    const xlsx = new Uint8Array(await readFile(ds.labelPath))
    expect(Buffer.compare(pinZipTimestamps(new Uint8Array(xlsx)), xlsx)).toBe(0)
  })
})

describe('ground-truth flow', () => {
  it('maps the onset frame onto the apex frame, head motion included', async () => {
    const ds = await synthFixture({ format: 'casme2', headMotion: true, subjects: 1, samplesPerSubject: 2, seed: 3, width: 96, height: 96 })
    for (const s of ds.truth.samples) {
      expect(s.headMotion).toBe(true)
      const flow = await ds.apexFlow(s)
      const [onset, apex] = await Promise.all(
        [s.onset, s.apex].map(async (n) => new Float32Array(await sharp(join(ds.clipPath(s), `img${n}.jpg`)).greyscale().raw().toBuffer())),
      )
      const sample = (image: Float32Array, x: number, y: number) => {
        const x0 = Math.min(94, Math.max(0, Math.floor(x)))
        const y0 = Math.min(94, Math.max(0, Math.floor(y)))
        const fx = x - x0
        const fy = y - y0
        const at = (xx: number, yy: number) => image[yy * 96 + xx]!
        return (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
      }
      // Brightness constancy: apex(x + F(x)) ≈ onset(x); compare with ignoring the motion.
      let warped = 0
      let unwarped = 0
      for (const r of s.regions) {
        for (let y = Math.ceil(r.box[1]) + 2; y < Math.floor(r.box[3]) - 2; y++) {
          for (let x = Math.ceil(r.box[0]) + 2; x < Math.floor(r.box[2]) - 2; x++) {
            const i = y * 96 + x
            warped += Math.abs(sample(apex!, x + flow.u[i]!, y + flow.v[i]!) - onset![i]!)
            unwarped += Math.abs(apex![i]! - onset![i]!)
          }
        }
      }
      expect(warped).toBeLessThan(unwarped * 0.75)
    }
  })
})
