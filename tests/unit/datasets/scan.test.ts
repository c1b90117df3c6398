import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDataset, scanDataset } from '../../../src/main/services/datasets'
import { MediaService, decodeBmp, encodeBmp, frameNumberFromName, orderFrameFiles } from '../../../src/main/services/media'
import { synthFixture } from '../../helpers/synth-fixture'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'me-scan-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Only image folders here: no ffmpeg needed. */
const media = () => new MediaService({ ffmpeg: async () => Promise.reject(new Error('no video expected in this test')) })

async function grayJpeg(path: string, value: number, size = 32): Promise<void> {
  await sharp(Buffer.alloc(size * size, value), { raw: { width: size, height: size, channels: 1 } }).jpeg().toFile(path)
}

describe('frame files', () => {
  it('takes frame numbers from file names and sorts numerically', () => {
    expect(frameNumberFromName('img46.jpg')).toBe(46)
    expect(frameNumberFromName('reg_img046.jpg')).toBe(46)
    expect(frameNumberFromName('006_05562.jpg')).toBe(5562)
    expect(frameNumberFromName('s1_ne_01_0012.bmp')).toBe(12)
    expect(frameNumberFromName('cover.png')).toBeNull()
    const listing = orderFrameFiles(['img10.jpg', 'img9.jpg', 'img100.jpg', 'notes.txt', 'img9.png', 'thumb.jpg'])
    expect(listing.files).toEqual(['img9.jpg', 'img10.jpg', 'img100.jpg'])
    expect(listing.frameNumbers).toEqual([9, 10, 100])
    expect(listing.skipped.map((s) => s.file).sort()).toEqual(['img9.png', 'thumb.jpg'])
    expect(orderFrameFiles(['b.jpg', 'a.jpg']).frameNumbers).toEqual([0, 1])
  })

  it('round-trips BMP (24-bit) and decodes grey-palette BMP to one channel', () => {
    const rgb = { width: 3, height: 2, channels: 3 as const, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]) }
    expect(decodeBmp(encodeBmp(rgb))).toEqual(rgb)
    // 8-bit, 2×2, grey palette, top-down.
    const bytes = new Uint8Array(54 + 1024 + 8)
    const view = new DataView(bytes.buffer)
    bytes.set([0x42, 0x4d])
    view.setUint32(10, 54 + 1024, true)
    view.setUint32(14, 40, true)
    view.setInt32(18, 2, true)
    view.setInt32(22, -2, true)
    view.setUint16(28, 8, true)
    for (let i = 0; i < 256; i++) bytes.set([i, i, i, 0], 54 + i * 4)
    bytes.set([10, 20, 0, 0, 30, 40, 0, 0], 54 + 1024)
    expect(decodeBmp(bytes)).toEqual({ width: 2, height: 2, channels: 1, data: Uint8Array.from([10, 20, 30, 40]) })
    expect(() => decodeBmp(bytes.subarray(0, 60))).toThrow(expect.objectContaining({ code: 'media/corrupt' }))
    expect(() => decodeBmp(new TextEncoder().encode('x'.repeat(80)))).toThrow(expect.objectContaining({ code: 'media/unsupported' }))
  })
})

describe('dataset scan', () => {
  it('imports a generated CASME II dataset with exact sample, subject and label counts', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    const opened = await openDataset(ds.root, media())
    expect(opened.scan.format).toBe('casme2')
    expect(opened.scan.fps).toBe(200)
    expect(opened.summary).toMatchObject({ samples: 4, subjects: 2, labelRows: 4, matchedRows: 4, errors: 0, warnings: 0 })
    const megc: Record<string, number> = {}
    for (const s of ds.truth.samples) megc[s.megcClass] = (megc[s.megcClass] ?? 0) + 1
    expect(opened.summary.megcClasses).toEqual(megc)
    for (const truth of ds.truth.samples) {
      const sample = opened.scan.samples.find((s) => s.subject === truth.subject && s.name === truth.sample)!
      expect(sample.clip).toMatchObject({ kind: 'frames', frameCount: truth.frameCount, width: 128, height: 128, fps: 200 })
      expect(sample.clip.frameNumbers[0]).toBe(truth.firstFrameNumber)
      const row = opened.labels!.rows.find((r) => r.sample === truth.sample)!
      expect(row).toMatchObject({ onset: truth.onset, apex: truth.apex, offset: truth.offset, auText: truth.auText, emotion: truth.emotion })
    }
  })

  it('imports a generated SAMM dataset (grey frames, header on row 13, zero-padded subjects)', async () => {
    const ds = await synthFixture({ format: 'samm' })
    const opened = await openDataset(ds.root, media())
    expect(opened.scan.format).toBe('samm')
    expect(opened.summary).toMatchObject({ samples: 4, subjects: 2, labelRows: 4, matchedRows: 4, errors: 0, warnings: 0 })
    expect(opened.scan.samples.map((s) => s.subject)).toEqual(['006', '006', '007', '007'])
    expect(opened.labels!.rows.map((r) => r.rowNumber)).toEqual([14, 15, 16, 17])
  })

  it('recognises SMIC-HS (BMP frames, labels from folders, 100 fps) and reports dropped frames', async () => {
    const root = join(dir, 'SMIC')
    const frame = encodeBmp({ width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(90) })
    const clips = [
      ['s1', 'negative', 's1_ne_01', [1, 2, 3, 4]],
      ['s1', 'positive', 's1_po_01', [1, 2, 4, 5]],
      ['s2', 'surprise', 's2_sur_01', [7, 8, 9]],
    ] as const
    for (const [subject, label, name, numbers] of clips) {
      const folder = join(root, 'HS', subject, 'micro', label, name)
      await mkdir(folder, { recursive: true })
      for (const n of numbers) await writeFile(join(folder, `image${String(n).padStart(6, '0')}.bmp`), frame)
    }
    await mkdir(join(root, 'HS', 's1', 'non_micro', 's1_no_01'), { recursive: true })
    await writeFile(join(root, 'HS', 's1', 'non_micro', 's1_no_01', 'image000001.bmp'), frame)

    const before = await stat(join(root, 'HS', 's1', 'micro', 'negative', 's1_ne_01', 'image000001.bmp'))
    const opened = await openDataset(root, media())
    expect(opened.scan.format).toBe('smic')
    expect(opened.scan.fps).toBe(100)
    expect(opened.summary).toMatchObject({ samples: 3, subjects: 2, labelRows: 3, matchedRows: 3, errors: 0 })
    expect(opened.summary.megcClasses).toEqual({ negative: 1, positive: 1, surprise: 1 })
    expect(opened.labels!.rows.every((r) => r.apex === null)).toBe(true)
    expect(opened.problems.map((p) => [p.code, p.sample])).toEqual([['dataset/dropped-frames', 's1/s1_po_01']])
    // Imports never modify the source files.
    const after = await stat(join(root, 'HS', 's1', 'micro', 'negative', 's1_ne_01', 'image000001.bmp'))
    expect(after.mtimeMs).toBe(before.mtimeMs)
  })

  it('recognises CAS(ME)³ <subject>/<sample>/color folders and skips depth maps', async () => {
    const root = join(dir, 'CASME3')
    for (const [subject, sample] of [
      ['spNO.1', 'a'],
      ['spNO.1', 'b'],
      ['spNO.2', 'a'],
    ] as const) {
      for (const kind of ['color', 'depth']) {
        const folder = join(root, 'part_A', subject, sample, kind)
        await mkdir(folder, { recursive: true })
        for (const n of [0, 1, 2]) await grayJpeg(join(folder, `${n}.${kind === 'color' ? 'jpg' : 'png'}`), 100)
      }
    }
    const scan = await scanDataset(root, media())
    expect(scan.format).toBe('casme3')
    expect(scan.fps).toBe(30)
    expect(scan.samples.map((s) => `${s.subject}/${s.name}`)).toEqual(['spNO.1/a', 'spNO.1/b', 'spNO.2/a'])
  })

  it('skips unreadable clips with a problem and still opens the rest; honours format and fps overrides', async () => {
    const root = join(dir, 'generic')
    await mkdir(join(root, 'p1', 'good'), { recursive: true })
    await mkdir(join(root, 'p1', 'empty-jpeg'), { recursive: true })
    await mkdir(join(root, 'p1', 'text-as-jpeg'), { recursive: true })
    for (const n of [1, 2]) await grayJpeg(join(root, 'p1', 'good', `f${n}.jpg`), 50)
    await writeFile(join(root, 'p1', 'empty-jpeg', 'f1.jpg'), '')
    await writeFile(join(root, 'p1', 'text-as-jpeg', 'f1.jpg'), 'hello, not an image')
    const service = media()
    const scan = await scanDataset(root, service, { fps: 60 })
    expect(scan.format).toBe('generic')
    expect(scan.samples.map((s) => s.name)).toEqual(['good'])
    expect(scan.samples[0]!.clip.fps).toBe(60)
    const unreadable = scan.problems.filter((p) => p.code === 'dataset/unreadable-clip')
    expect(unreadable.map((p) => p.sample).sort()).toEqual(['p1/empty-jpeg', 'p1/text-as-jpeg'])
    expect(unreadable.find((p) => p.sample === 'p1/empty-jpeg')!.message).toContain('media/corrupt')
    expect(unreadable.find((p) => p.sample === 'p1/text-as-jpeg')!.message).toContain('media/unsupported')
    expect(scan.problems.some((p) => p.code === 'dataset/format-guessed')).toBe(true)

    const forced = await scanDataset(root, service, { format: 'casme2' })
    expect(forced.format).toBe('casme2')
    expect(forced.fps).toBe(200)
    expect(await readdir(join(root, 'p1', 'good'))).toEqual(['f1.jpg', 'f2.jpg'])
  })

  it('reads sequence frames by index and by dataset frame number, gray and RGB', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    const truth = ds.truth.samples[0]!
    const service = media()
    const byNumber = await service.readFrameByNumber(ds.clipPath(truth), truth.apex, 'gray')
    const byIndex = await service.readFrame(ds.clipPath(truth), truth.apexIndex, 'gray')
    expect(byNumber).toBe(byIndex)
    expect(byIndex).toMatchObject({ width: 128, height: 128, channels: 1 })
    expect((await service.readFrame(ds.clipPath(truth), 0, 'rgb')).channels).toBe(3)
    await expect(service.readFrameByNumber(ds.clipPath(truth), truth.firstFrameNumber - 1)).rejects.toMatchObject({ code: 'media/missing-frames' })
    await expect(service.readFrame(ds.clipPath(truth), truth.frameCount)).rejects.toMatchObject({ code: 'media/missing-frames' })
    expect(service.cacheStats().entries).toBeGreaterThan(0)
  })
})
