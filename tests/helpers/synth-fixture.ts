/**
 * Synthetic micro-expression datasets for any test, generated once and cached under
 * `tests/.generated/` (gitignored).
 *
 *   import { synthFixture } from '../../helpers/synth-fixture'
 *
 *   const ds = await synthFixture({ format: 'casme2' })   // 2 subjects × 2 samples, 128×128, 200 fps
 *   ds.root                  // dataset folder (CASME II layout + CASME2-coding-20260101.xlsx)
 *   ds.truth                 // GroundTruth: ground-truth.json parsed (see src/main/services/synth/truth.ts)
 *   ds.truth.samples[0]      // SampleTruth: onset/apex/offset (sheet numbers) and …Index (0-based),
 *                            //   action, auCodes, emotion, megcClass, regions (centre, σ, ±2σ box), landmarks
 *   ds.clipPath(sample)      // absolute path of the sample's frame folder or .mp4
 *   ds.labelPath             // absolute path of the label file
 *   ds.apexFlow(sample)      // FlowField {width, height, u, v}: exact onset→apex displacement
 *
 * Options (all optional): format 'casme2' | 'samm' | 'video' (video needs ffmpeg), subjects (2),
 * samplesPerSubject (2), seed (7), width/height (128), fps (200), headMotion (false),
 * durationSeconds ([0.3, 0.4]). The same options always give the same bytes; the cache key is
 * the options plus a hash of the generator's source, so a changed generator regenerates. Safe across parallel vitest workers: each generates into a private
 * temporary folder and renames it into place; the loser of a race discards its copy.
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFlo } from '../../src/main/vision/flo'
import type { FlowField } from '../../src/main/vision/image'
import { requireFfmpeg } from '../../src/main/services/ffmpeg-locator'
import { generateSyntheticDataset } from '../../src/main/services/synth/generate'
import type { GroundTruth, SampleTruth, SynthFormat } from '../../src/main/services/synth/truth'

export interface SynthFixtureOptions {
  format?: SynthFormat
  subjects?: number
  samplesPerSubject?: number
  seed?: number
  width?: number
  height?: number
  fps?: number
  headMotion?: boolean
  durationSeconds?: [number, number]
}

export interface SynthFixture {
  root: string
  truth: GroundTruth
  labelPath: string
  clipPath(sample: SampleTruth): string
  apexFlow(sample: SampleTruth): Promise<FlowField>
}

const GENERATED_DIR = fileURLToPath(new URL('../.generated', import.meta.url))

const FIXTURE_DEFAULTS = {
  format: 'casme2' as SynthFormat,
  subjects: 2,
  samplesPerSubject: 2,
  seed: 7,
  width: 128,
  height: 128,
  fps: 200,
  headMotion: false,
  durationSeconds: [0.3, 0.4] as [number, number],
}

export async function synthFixture(options: SynthFixtureOptions = {}): Promise<SynthFixture> {
  const settings = { ...FIXTURE_DEFAULTS, ...options }
  const key = [
    settings.format,
    `${settings.subjects}x${settings.samplesPerSubject}`,
    `seed${settings.seed}`,
    `${settings.width}x${settings.height}`,
    `${settings.fps}fps`,
    settings.headMotion ? 'motion' : 'still',
    `${settings.durationSeconds[0]}-${settings.durationSeconds[1]}s`,
  ].join('_')
  const { root, truth } = await generatedDataset<GroundTruth>(key, async (outDir) => {
    await generateSyntheticDataset({
      ...settings,
      outDir,
      ...(settings.format === 'video' ? { ffmpegPath: await requireFfmpeg() } : {}),
    })
  })
  return {
    root,
    truth,
    labelPath: join(root, truth.labelFile),
    clipPath: (sample) => join(root, ...sample.path.split('/')),
    apexFlow: async (sample) => readFlo(await readFile(join(root, ...sample.apexFlow.split('/')))),
  }
}

/**
 * A generated dataset under `tests/.generated/<key>_<generator hash>`, made by `generate` the first
 * time and reused after; its `ground-truth.json` parsed. Safe across parallel vitest workers: each
 * generates into a private temporary folder and renames it into place.
 */
export async function generatedDataset<T>(key: string, generate: (outDir: string) => Promise<void>): Promise<{ root: string; truth: T }> {
  const root = join(GENERATED_DIR, `${key}_${await generatorHash()}`)
  if (!existsSync(join(root, 'ground-truth.json'))) {
    await mkdir(GENERATED_DIR, { recursive: true })
    const temporary = `${root}.tmp-${process.pid}-${Date.now()}`
    await generate(temporary)
    try {
      await rename(temporary, root)
    } catch {
      // Another worker finished first: its copy is byte-identical.
      await rm(temporary, { recursive: true, force: true })
    }
  }
  return { root, truth: JSON.parse(await readFile(join(root, 'ground-truth.json'), 'utf8')) as T }
}

let cachedGeneratorHash: Promise<string> | null = null

/** Short hash of the generator's source files and of the bundled faces' landmarks. */
function generatorHash(): Promise<string> {
  cachedGeneratorHash ??= (async () => {
    const dir = fileURLToPath(new URL('../../src/main/services/synth/', import.meta.url))
    const hash = createHash('sha256')
    for (const name of (await readdir(dir)).sort()) hash.update(name).update(await readFile(join(dir, name)))
    hash.update(await readFile(new URL('../../resources/faces/faces.json', import.meta.url)))
    return hash.digest('hex').slice(0, 10)
  })()
  return cachedGeneratorHash
}
