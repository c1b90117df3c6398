import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'

let dir: string

const run = (...argv: string[]) => runCliCaptured(argv, dir)

/** Five grey 16×16 JPEG frames named like the dataset's (img1.jpg …) in `folder`. */
async function frames(folder: string): Promise<void> {
  mkdirSync(join(dir, folder), { recursive: true })
  for (let i = 1; i <= 5; i++) {
    await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 40 * i, g: 40 * i, b: 40 * i } } }).jpeg().toFile(join(dir, folder, `img${i}.jpg`))
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'me-frames-cli-'))
  await frames('CASME2/sub01/EP02_01')
  await frames('shots/clip')
})

describe('me-studio frames', () => {
  it("gives an image folder its dataset's rate, not a default (a CASME II sample is 200 fps)", async () => {
    const { code, stdout } = await run('frames', 'CASME2/sub01/EP02_01', '--range', '0:1', '--out', 'a')
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe("frames 16x16, 5 frames at 200 fps (CASME II's rate)")
    expect(readdirSync(join(dir, 'a'))).toEqual(['frame_00000.png', 'frame_00001.png'])
  })

  it('says an unrecognised folder has no known rate, and takes --fps', async () => {
    expect((await run('frames', 'shots/clip', '--range', '0:0', '--out', 'b')).stdout.split('\n')[0]).toBe('frames 16x16, 5 frames (an image folder: frame rate unknown, give --fps)')
    expect((await run('frames', 'shots/clip', '--range', '0:0', '--out', 'c', '--fps', '120')).stdout.split('\n')[0]).toBe('frames 16x16, 5 frames at 120 fps')
    expect((await run('frames', 'shots/clip', '--range', '0:0', '--out', 'd', '--fps', '0')).stderr).toMatch(/--fps must be a positive number, got 0/)
  })
})
