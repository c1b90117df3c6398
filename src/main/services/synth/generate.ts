import { mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import sharp from '../media/sharp'
import { StudioError } from '@shared/ipc/errors'
import { writeFlo } from '../../vision/flo'
import { runFfmpeg, type SpawnFunction } from '../media/ffmpeg-process'
import { ACTION_SPECS, SYNTH_ACTIONS, activation, displacementField, placeRegions } from './actions'
import { drawSubject, type FaceIdentity } from './face'
import { subjectFaces, type FaceSkipReporter } from './faces'
import { createRandom, type Random } from './random'
import { drawHeadMotion, onsetToApexFlow, poseAt, renderFrame } from './render'
import { writeCasme2Sheet, writeLabelsCsv, writeSammSheet } from './sheets'
import { SYNTH_DEFAULTS, type GroundTruth, type SampleTruth, type SubjectTruth, type SynthFormat } from './truth'

export interface SynthOptions {
  outDir: string
  subjects?: number
  samplesPerSubject?: number
  seed?: number
  format?: SynthFormat
  width?: number
  height?: number
  fps?: number
  /** Clip length is drawn uniformly from this range, seconds. */
  durationSeconds?: [number, number]
  /** Small sinusoidal rigid head drift (sub-pixel translation, ~0.1° roll). */
  headMotion?: boolean
  /**
   * Folder of face photos, one identity per usable face (group photos give several); each subject
   * gets its own. Default: the bundled `resources/faces/`.
   */
  facesDir?: string
  /** A photo or face of `facesDir` that was skipped, and why. */
  onFaceSkipped?: FaceSkipReporter
  /** Required for `format: 'video'`. */
  ffmpegPath?: string
  spawn?: SpawnFunction
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}

/** Label files each format writes, relative to the output folder. */
export const SYNTH_LABEL_FILES: Readonly<Record<SynthFormat, string>> = {
  casme2: 'CASME2-coding-20260101.xlsx',
  samm: 'SAMM_Micro_FACS_Codes_v2.xlsx',
  video: 'labels.csv',
}

const JPEG_OPTIONS = { quality: 95, chromaSubsampling: '4:4:4' } as const
/** Frames encoded concurrently (sharp works on libuv's thread pool). */
const ENCODE_CONCURRENCY = 4

/**
 * Generates a synthetic micro-expression dataset: distinct subjects drawn from real face photos, each
 * sample a clip with a neutral lead-in and one localised micro-movement with known onset, apex
 * and offset. Same options and seed → byte-identical files (the pixels of `casme2` and `video`
 * datasets with the same seed are the same too: only the container differs).
 */
export async function generateSyntheticDataset(options: SynthOptions): Promise<GroundTruth> {
  const settings = { ...SYNTH_DEFAULTS, ...definedOnly(options), outDir: options.outDir }
  const { outDir, format, width, height, fps } = settings
  validate(settings)
  if (format === 'video' && !options.ffmpegPath) throw new StudioError('media/ffmpeg-missing', 'Video output needs ffmpeg')
  const faces = await subjectFaces(options.facesDir, settings.subjects, options.onFaceSkipped ?? (() => {}))
  await mkdir(outDir, { recursive: true })

  const master = createRandom(settings.seed)
  const subjects: SubjectTruth[] = []
  const samples: SampleTruth[] = []
  const total = settings.subjects * settings.samplesPerSubject
  for (let s = 0; s < settings.subjects; s++) {
    const subjectRandom = master.fork()
    const face = faces[s]!
    const { appearance, landmarks, neutral } = drawSubject(subjectRandom, face, width, height)
    const names = subjectNames(format, s)
    subjects.push({ subject: names.folder, identity: face.id, rollDegrees: round(appearance.rollDegrees, 3), noiseSigma: round(appearance.noiseSigma, 3) })

    for (let k = 0; k < settings.samplesPerSubject; k++) {
      if (options.signal?.aborted) throw new StudioError('cancelled', 'Synthetic generation cancelled')
      const random = subjectRandom.fork()
      const action = SYNTH_ACTIONS[(s + k) % SYNTH_ACTIONS.length]!
      const spec = ACTION_SPECS[action]
      const timing = drawTiming(random, fps, settings.durationSeconds)
      const amplitude = random.uniform(0.5, 2)
      const firstFrameNumber = drawFirstFrameNumber(random, format)
      const motion = drawHeadMotion(random, fps)
      const noise = random.fork()
      const headMotion = settings.headMotion ?? false

      const regions = placeRegions(action, appearance, landmarks, amplitude, width, height)
      const field = displacementField(regions, width, height)
      const sampleName = names.sample(k)
      const relativePath = format === 'video' ? `${names.folder}/${sampleName}.mp4` : `${names.folder}/${sampleName}`
      const channels = format === 'samm' ? 1 : 3
      const frames = (function* () {
        for (let i = 0; i < timing.frameCount; i++) {
          const pose = poseAt(headMotion ? motion : null, i)
          yield renderFrame(neutral, field, { activation: activation(i, timing.onset, timing.apex, timing.offset), pose }, appearance.noiseSigma, noise, channels)
        }
      })()
      const target = join(outDir, ...relativePath.split('/'))
      if (format === 'video') {
        await encodeVideo(frames, target, width, height, fps, options)
      } else {
        await writeImageSequence(frames, target, (i) => frameFileName(format, names.folder, firstFrameNumber + i), channels, width, height)
      }

      const flow = onsetToApexFlow(field, poseAt(headMotion ? motion : null, timing.onset), poseAt(headMotion ? motion : null, timing.apex))
      const flowPath = `ground-truth/${names.folder}/${sampleName}.flo`
      await mkdir(dirname(join(outDir, flowPath)), { recursive: true })
      await writeFile(join(outDir, flowPath), writeFlo({ width, height, u: flow.u, v: flow.v }))

      const numberOf = (index: number) => (format === 'video' ? index : firstFrameNumber + index)
      samples.push({
        subject: names.folder,
        subjectLabel: names.label,
        sample: sampleName,
        path: relativePath,
        fps,
        width,
        height,
        frameCount: timing.frameCount,
        firstFrameNumber: format === 'video' ? 0 : firstFrameNumber,
        onset: numberOf(timing.onset),
        apex: numberOf(timing.apex),
        offset: numberOf(timing.offset),
        onsetIndex: timing.onset,
        apexIndex: timing.apex,
        offsetIndex: timing.offset,
        action,
        auCodes: spec.auCodes,
        auText: spec.auText,
        emotion: format === 'samm' ? spec.emotion.samm : spec.emotion.casme2,
        megcClass: spec.megcClass,
        objectiveClass: spec.objectiveClass,
        amplitude: round(amplitude, 4),
        regions: regions.map((r) => ({
          ...r,
          centre: roundPoint(r.centre),
          direction: roundPoint(r.direction),
          sigma: round(r.sigma, 3),
          box: r.box.map((v) => round(v, 2)) as [number, number, number, number],
          peak: round(r.peak, 4),
        })),
        landmarks: Object.fromEntries(Object.entries(landmarks).map(([name, p]) => [name, roundPoint(p)])) as typeof landmarks,
        headMotion,
        apexFlow: flowPath,
        maxFlow: round(maxMagnitude(flow.u, flow.v), 4),
      })
      options.onProgress?.(samples.length, total)
    }
  }

  const labelFile = SYNTH_LABEL_FILES[format]
  if (format === 'casme2') await writeCasme2Sheet(join(outDir, labelFile), samples)
  else if (format === 'samm') await writeSammSheet(join(outDir, labelFile), samples)
  else await writeLabelsCsv(join(outDir, labelFile), samples)

  const truth: GroundTruth = {
    generator: 'me-studio-synth',
    version: 1,
    seed: settings.seed,
    format,
    width,
    height,
    fps,
    sourceFace: sourceFaceName(options.facesDir, faces),
    labelFile,
    subjects,
    samples,
  }
  await writeFile(join(outDir, 'ground-truth.json'), JSON.stringify(truth, null, 2) + '\n')
  await writeFile(join(outDir, 'PROVENANCE.md'), provenance(settings.seed, format, subjects, options.facesDir))
  return truth
}

/** `faces/` for a faces folder, else the bundled photos' names (`astronaut.png`). */
export function sourceFaceName(facesDir: string | undefined, faces: readonly FaceIdentity[]): string {
  return facesDir ? `${basename(resolve(facesDir))}/` : [...new Set(faces.map((f) => f.id))].join(', ')
}

interface Timing {
  frameCount: number
  onset: number
  apex: number
  offset: number
}

/** Neutral lead-in (≥ 0.1 s), rise 40–100 ms, fall 80–200 ms, neutral tail: always under 500 ms. */
function drawTiming(random: Random, fps: number, [minSeconds, maxSeconds]: [number, number]): Timing {
  const rise = Math.max(2, Math.round(random.uniform(0.04, 0.1) * fps))
  const fall = Math.max(2, Math.round(random.uniform(0.08, 0.2) * fps))
  const tail = Math.max(2, Math.round(0.03 * fps))
  const minLead = Math.max(2, Math.round(0.1 * fps))
  const frameCount = Math.max(minLead + rise + fall + tail + 1, Math.round(random.uniform(minSeconds, maxSeconds) * fps))
  const onset = random.int(minLead, frameCount - 1 - rise - fall - tail)
  return { frameCount, onset, apex: onset + rise, offset: onset + rise + fall }
}

/** Like the real datasets, frame numbers continue those of the long recording the clip was cut from. */
function drawFirstFrameNumber(random: Random, format: SynthFormat): number {
  return format === 'samm' ? random.int(1000, 6000) : random.int(1, 300)
}

function subjectNames(format: SynthFormat, index: number) {
  const n = index + 1
  if (format === 'casme2') {
    const label = String(n).padStart(2, '0')
    return { folder: `sub${label}`, label, sample: (k: number) => `EP${String(k + 1).padStart(2, '0')}_${String(((index * 7 + k * 3) % 9) + 1).padStart(2, '0')}` }
  }
  if (format === 'samm') {
    // SAMM's subject ids start at 006.
    const label = String(n + 5).padStart(3, '0')
    return { folder: label, label, sample: (k: number) => `${label}_1_${k + 1}` }
  }
  const label = `s${String(n).padStart(2, '0')}`
  return { folder: label, label, sample: (k: number) => `${label}_${String(k + 1).padStart(2, '0')}` }
}

function frameFileName(format: SynthFormat, subjectFolder: string, frameNumber: number): string {
  return format === 'samm' ? `${subjectFolder}_${String(frameNumber).padStart(5, '0')}.jpg` : `img${frameNumber}.jpg`
}

export async function writeImageSequence(
  frames: Iterable<Uint8Array>,
  folder: string,
  fileName: (index: number) => string,
  channels: 1 | 3,
  width: number,
  height: number,
): Promise<void> {
  await mkdir(folder, { recursive: true })
  const inFlight = new Set<Promise<void>>()
  let index = 0
  for (const pixels of frames) {
    const path = join(folder, fileName(index++))
    const job: Promise<void> = sharp(pixels, { raw: { width, height, channels } })
      .jpeg(JPEG_OPTIONS)
      .toFile(path)
      .then(() => undefined)
      .finally(() => inFlight.delete(job))
    inFlight.add(job)
    if (inFlight.size >= ENCODE_CONCURRENCY) await Promise.race(inFlight)
  }
  await Promise.all(inFlight)
}

async function encodeVideo(frames: Iterable<Uint8Array>, path: string, width: number, height: number, fps: number, options: SynthOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const result = await runFfmpeg({
    ffmpeg: options.ffmpegPath!,
    spawn: options.spawn,
    signal: options.signal,
    input: frames,
    args: [
      '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-framerate', String(fps), '-i', 'pipe:0',
      // tune=grain keeps the per-frame sensor noise instead of copying it from reference frames.
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-tune', 'grain', '-g', '50', '-pix_fmt', 'yuv420p',
      '-fflags', '+bitexact', '-flags:v', '+bitexact', '-map_metadata', '-1',
      path,
    ],
  })
  if (result.exitCode !== 0) throw new StudioError('internal', `ffmpeg failed to encode ${path}: ${result.stderrTail}`)
}

function validate(settings: typeof SYNTH_DEFAULTS & SynthOptions): void {
  const positiveInt = (value: number, name: string, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new StudioError('invalid-input', `${name} must be an integer in 1..${max}, got ${value}`)
  }
  positiveInt(settings.subjects, 'subjects', 99)
  positiveInt(settings.samplesPerSubject, 'samplesPerSubject', 99)
  positiveInt(settings.width, 'width', 4096)
  positiveInt(settings.height, 'height', 4096)
  if (settings.width % 2 || settings.height % 2) throw new StudioError('invalid-input', 'width and height must be even (yuv420p video)')
  if (settings.width < 64 || settings.height < 64) throw new StudioError('invalid-input', 'frames must be at least 64×64')
  if (!(settings.fps >= 10 && settings.fps <= 1000)) throw new StudioError('invalid-input', `fps must be in 10..1000, got ${settings.fps}`)
  const [min, max] = settings.durationSeconds
  if (!(min > 0 && max >= min && max <= 10)) throw new StudioError('invalid-input', 'durationSeconds must be [min, max] with 0 < min ≤ max ≤ 10')
  if (!Number.isInteger(settings.seed)) throw new StudioError('invalid-input', 'seed must be an integer')
}

function provenance(seed: number, format: SynthFormat, subjects: readonly SubjectTruth[], facesDir: string | undefined): string {
  const faces = facesDir
    ? `Each subject is a different real person: the face photos of \`${basename(resolve(facesDir))}/\` (one identity per
usable face, cropped from group photos; \`ground-truth.json\` lists subject → identity). Those photos
keep their own licence: check it before sharing this dataset.`
    : `Every subject is derived from the bundled public-domain photo(s) (${[...new Set(subjects.map((s) => s.identity))].join(', ')}; NASA portrait
of Eileen Collins from scikit-image, see ME Studio's \`resources/faces/PROVENANCE.md\`), so subjects that
share a photo are the same person.`
  return `# Synthetic micro-expression dataset (${format}, seed ${seed})

Generated by ME Studio's synthetic generator (\`me-studio synth\`). ${faces}
Each subject gets its own smooth global shape warp, colour/illumination change, small head-pose
change and sensor-noise seed. The micro-movements are synthetic displacement fields placed at the
68 landmarks the face detector found on the photo, not performed expressions. \`ground-truth.json\`
lists every sample's onset, apex, offset, action units, emotion, MEGC class and moving regions;
\`ground-truth/*.flo\` holds the exact onset→apex displacement field (Middlebury .flo).
`
}

export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function maxMagnitude(u: Float32Array, v: Float32Array): number {
  let max = 0
  for (let i = 0; i < u.length; i++) max = Math.max(max, Math.hypot(u[i]!, v[i]!))
  return max
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

function roundPoint(p: { x: number; y: number }) {
  return { x: round(p.x, 3), y: round(p.y, 3) }
}
