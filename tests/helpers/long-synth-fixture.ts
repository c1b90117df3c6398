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
import { join } from 'node:path'
import { generateLongDataset, type LongGroundTruth, type LongSynthOptions, type LongVideoTruth } from '../../src/main/services/synth/long'
import { generatedDataset } from './synth-fixture'

export type LongSynthFixtureOptions = Omit<LongSynthOptions, 'outDir' | 'signal' | 'onProgress' | 'facesDir' | 'onFaceSkipped'>

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
  ].join('_')
  const { root, truth } = await generatedDataset<LongGroundTruth>(key, async (outDir) => {
    await generateLongDataset({ ...settings, outDir })
  })
  return { root, truth, labelPath: join(root, truth.labelFile), clipPath: (video) => join(root, ...video.path.split('/')) }
}
