/**
 * Synthetic long videos (CAS(ME)²-shaped, `me-studio synth --format long`) for a test, generated
 * once per options under `tests/.generated/` and reused (same scheme as synth-fixture.ts).
 *
 *   const ds = await longSynthFixture({ durationSeconds: [12, 12] })
 *   ds.root                        // dataset folder: rawpic/s15/15_0101disgustingteeth/img1.jpg…
 *   ds.truth.videos[0].expressions // kind, onset/apex/offset as img<N> numbers
 *   ds.clipPath(ds.truth.videos[0])
 *
 * Defaults: 1 subject × 2 videos of 12 s, 192×144, 30 fps, seed 3 — small enough for CI.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateLongDataset, type LongGroundTruth, type LongSynthOptions, type LongVideoTruth } from '../../src/main/services/synth/long'
import { GENERATED_DIR } from './synth-fixture'

export type LongSynthFixtureOptions = Omit<LongSynthOptions, 'outDir' | 'signal' | 'onProgress' | 'facePath'>

export interface LongSynthFixture {
  root: string
  truth: LongGroundTruth
  labelPath: string
  clipPath(video: LongVideoTruth): string
}

const DEFAULTS = { subjects: 1, videosPerSubject: 2, seed: 3, width: 192, height: 144, fps: 30, durationSeconds: [12, 12] as [number, number] }

export async function longSynthFixture(options: LongSynthFixtureOptions = {}): Promise<LongSynthFixture> {
  const settings = { ...DEFAULTS, ...options }
  const key = [
    'long',
    `${settings.subjects}x${settings.videosPerSubject}`,
    `seed${settings.seed}`,
    `${settings.width}x${settings.height}`,
    `${settings.fps}fps`,
    `${settings.durationSeconds[0]}-${settings.durationSeconds[1]}s`,
    await generatorHash(),
  ].join('_')
  const root = join(GENERATED_DIR, key)
  if (!existsSync(join(root, 'ground-truth.json'))) {
    await mkdir(GENERATED_DIR, { recursive: true })
    const temporary = `${root}.tmp-${process.pid}-${Date.now()}`
    await generateLongDataset({ ...settings, outDir: temporary })
    try {
      await rename(temporary, root)
    } catch {
      // Another worker finished first: its copy is byte-identical.
      await rm(temporary, { recursive: true, force: true })
    }
  }
  const truth = JSON.parse(await readFile(join(root, 'ground-truth.json'), 'utf8')) as LongGroundTruth
  return { root, truth, labelPath: join(root, truth.labelFile), clipPath: (video) => join(root, ...video.path.split('/')) }
}

let cachedHash: Promise<string> | null = null

function generatorHash(): Promise<string> {
  cachedHash ??= (async () => {
    const dir = fileURLToPath(new URL('../../src/main/services/synth/', import.meta.url))
    const hash = createHash('sha256')
    for (const name of (await readdir(dir)).sort()) hash.update(name).update(await readFile(join(dir, name)))
    return hash.digest('hex').slice(0, 10)
  })()
  return cachedHash
}
