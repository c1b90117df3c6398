/**
 * Synthetic long videos (CAS(ME)²-shaped): uncut recordings of several subjects, each holding
 * micro- and macro-expressions among distractors — blinks, rigid head-motion bursts, a slow head
 * drift and sensor noise — with every interval known. Written as CAS(ME)² ships:
 * `rawpic/s<NN>/<NN>_<code><name>/img1.jpg…` and `CAS(ME)^2code_final.xlsx` (sheets
 * `CASMEcode_final` without a header, `naming rule1`, `naming rule2`); the truth, distractors
 * included, in `ground-truth.json`. Same options and seed → byte-identical files.
 */
import { pinnedWorkbook } from '../formats/workbook'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MAX_MICRO_EXPRESSION_MS } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc/errors'
import type { SpotKind } from '@shared/metrics/spotting'
import { pinZipTimestamps } from '../formats/zip-timestamps'
import { ACTION_SPECS, SYNTH_ACTIONS, activation, displacementField, placeRegions, type ActionRegion, type DisplacementField, type SynthAction } from './actions'
import { drawSubject, faceDirectionToOutput, type Landmarks, type SubjectAppearance } from './face'
import { subjectFaces, type FaceSkipReporter } from './faces'
import { definedOnly, round, sourceFaceName, writeImageSequence } from './generate'
import { createRandom, type Random } from './random'
import { LONG_SYNTH_DEFAULTS } from './truth'
import { renderFrame, type RigidPose } from './render'

export interface LongSynthOptions {
  outDir: string
  subjects?: number
  videosPerSubject?: number
  seed?: number
  width?: number
  height?: number
  /** 30 (CAS(ME)²) or 200 (SAMM long videos); any rate in 10..1000 works. */
  fps?: number
  /** Video length drawn uniformly from this range, seconds. */
  durationSeconds?: [number, number]
  /** Folder of face photos, one identity per subject (see `SynthOptions.facesDir`); default the bundled faces. */
  facesDir?: string
  onFaceSkipped?: FaceSkipReporter
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => void
}


export const LONG_LABEL_FILE = 'CAS(ME)^2code_final.xlsx'

/** CAS(ME)² video codes, expression-name stems and folder names (naming rule 2). */
const VIDEOS: readonly [code: string, stem: string, name: string][] = [
  ['0101', 'disgust1', 'disgustingteeth'],
  ['0102', 'disgust2', 'girlcrashing'],
  ['0401', 'anger1', 'kickingcar'],
  ['0402', 'anger2', 'eatingworms'],
  ['0502', 'happy2', 'funnyinnovations'],
  ['0503', 'happy3', 'keyboardcat'],
]

/** First CAS(ME)² subject folder (s15) and participant number 1 (naming rule 1). */
const FIRST_SUBJECT_FOLDER = 15


export interface LongExpressionTruth {
  /** Expression name as in the workbook (`disgust1_2`). */
  name: string
  kind: SpotKind
  /** File numbers (img<N>.jpg). */
  onset: number
  apex: number
  offset: number
  action: SynthAction
  auText: string
  /** MEGC class, as CAS(ME)² writes its emotion column. */
  emotion: string
  /** Peak displacement at the apex, output pixels. */
  amplitude: number
  regions: ActionRegion[]
}

export interface LongDistractorTruth {
  kind: 'blink' | 'head'
  onset: number
  offset: number
  /** Blink: eyelid travel (px). Head: peak translation (px) and roll (degrees). */
  amplitude: number
  rollDegrees?: number
}

export interface LongVideoTruth {
  /** Subject folder (`s15`) and the participant number the workbook uses for it. */
  subject: string
  participant: number
  /** The real face the subject is drawn from (see `SubjectTruth.identity`). */
  identity: string
  /** Video folder (`15_0101disgustingteeth`) and its path from the dataset root. */
  video: string
  path: string
  fps: number
  width: number
  height: number
  frameCount: number
  /** img1.jpg: CAS(ME)² numbers frames from 1. */
  firstFrameNumber: 1
  expressions: LongExpressionTruth[]
  distractors: LongDistractorTruth[]
  landmarks: Landmarks
}

export interface LongGroundTruth {
  generator: 'me-studio-synth'
  version: 1
  format: 'long'
  seed: number
  width: number
  height: number
  fps: number
  sourceFace: string
  labelFile: string
  videos: LongVideoTruth[]
}

interface Event {
  kind: SpotKind | 'blink' | 'head'
  /** 0-based frame indices. */
  onset: number
  apex: number
  offset: number
}

/** Generates the dataset; returns what `ground-truth.json` holds. */
export async function generateLongDataset(options: LongSynthOptions): Promise<LongGroundTruth> {
  const settings = { ...LONG_SYNTH_DEFAULTS, ...definedOnly(options), outDir: options.outDir }
  validate(settings)
  const { outDir, width, height, fps } = settings
  const faces = await subjectFaces(options.facesDir, settings.subjects, options.onFaceSkipped ?? (() => {}))
  await mkdir(outDir, { recursive: true })
  const master = createRandom(settings.seed)
  const videos: LongVideoTruth[] = []
  const total = settings.subjects * settings.videosPerSubject
  for (let s = 0; s < settings.subjects; s++) {
    const subjectRandom = master.fork()
    const { appearance, landmarks, neutral } = drawSubject(subjectRandom, faces[s]!, width, height)
    const folderNumber = FIRST_SUBJECT_FOLDER + s
    for (let v = 0; v < settings.videosPerSubject; v++) {
      if (options.signal?.aborted) throw new StudioError('cancelled', 'Synthetic generation cancelled')
      const random = subjectRandom.fork()
      const [code, stem, name] = VIDEOS[(s + v) % VIDEOS.length]!
      const video = `${folderNumber}_${code}${name}`
      const path = `rawpic/s${folderNumber}/${video}`
      const frameCount = Math.round(random.uniform(...settings.durationSeconds) * fps)
      const plan = planVideo(random, frameCount, fps)
      const iod = Math.hypot(landmarks.rightEye.x - landmarks.leftEye.x, landmarks.rightEye.y - landmarks.leftEye.y)
      const expressions = plan.expressions.map((event, k) => {
        const action = SYNTH_ACTIONS[random.int(0, SYNTH_ACTIONS.length - 1)]!
        const amplitude = iod * (event.kind === 'micro' ? random.uniform(0.02, 0.04) : random.uniform(0.07, 0.11))
        return { event, action, amplitude, name: `${stem}_${k + 1}`, regions: placeRegions(action, appearance, landmarks, amplitude, width, height) }
      })
      const blinkAmplitude = 0.1 * iod
      const blinkRegions = eyelidRegions(appearance, landmarks, iod, blinkAmplitude)
      const heads = plan.heads.map((event) => {
        const direction = random.uniform(0, 2 * Math.PI)
        const shift = iod * random.uniform(0.04, 0.1)
        const roll = random.uniform(0.8, 2.5) * (random.next() < 0.5 ? -1 : 1)
        return { event, pose: { angle: (roll * Math.PI) / 180, tx: shift * Math.cos(direction), ty: shift * Math.sin(direction) } }
      })
      const drift = {
        tx: iod * random.uniform(-0.02, 0.02),
        ty: iod * random.uniform(-0.02, 0.02),
        angle: (random.uniform(-0.3, 0.3) * Math.PI) / 180,
        period: random.uniform(6, 15) * fps,
        phase: random.uniform(0, 2 * Math.PI),
      }
      const noise = random.fork()
      // Fields are built when their event starts and dropped after: memory stays one frame's worth.
      const fields = new Map<Event, DisplacementField>()
      const fieldOf = (event: Event, regions: ActionRegion[]) => {
        let field = fields.get(event)
        if (!field) {
          fields.clear()
          field = displacementField(regions, width, height)
          fields.set(event, field)
        }
        return field
      }
      const still = displacementField([], width, height)
      const frames = (function* () {
        for (let i = 0; i < frameCount; i++) {
          const s = Math.sin((2 * Math.PI * i) / drift.period + drift.phase)
          const pose: RigidPose = { angle: drift.angle * s, tx: drift.tx * s, ty: drift.ty * s }
          for (const head of heads) {
            const a = activation(i, head.event.onset, head.event.apex, head.event.offset)
            pose.angle += a * head.pose.angle
            pose.tx += a * head.pose.tx
            pose.ty += a * head.pose.ty
          }
          const expression = expressions.find((e) => i > e.event.onset && i < e.event.offset)
          const blink = plan.blinks.find((b) => i > b.onset && i < b.offset)
          const active = expression ? { event: expression.event, regions: expression.regions } : blink ? { event: blink, regions: blinkRegions } : null
          const field = active ? fieldOf(active.event, active.regions) : still
          const a = active ? activation(i, active.event.onset, active.event.apex, active.event.offset) : 0
          yield renderFrame(neutral, field, { activation: a, pose }, appearance.noiseSigma, noise, 3)
        }
      })()
      await writeImageSequence(frames, join(outDir, ...path.split('/')), (i) => `img${i + 1}.jpg`, 3, width, height)

      const number = (index: number) => index + 1
      videos.push({
        subject: `s${folderNumber}`,
        identity: faces[s]!.id,
        participant: s + 1,
        video,
        path,
        fps,
        width,
        height,
        frameCount,
        firstFrameNumber: 1,
        expressions: expressions.map((e) => ({
          name: e.name,
          kind: e.event.kind as SpotKind,
          onset: number(e.event.onset),
          apex: number(e.event.apex),
          offset: number(e.event.offset),
          action: e.action,
          auText: ACTION_SPECS[e.action].auText,
          emotion: ACTION_SPECS[e.action].megcClass,
          amplitude: round(e.amplitude, 3),
          regions: e.regions.map((r) => ({ ...r, centre: roundPoint(r.centre), direction: roundPoint(r.direction), sigma: round(r.sigma, 3), box: r.box.map((x) => round(x, 2)) as ActionRegion['box'], peak: round(r.peak, 3) })),
        })),
        distractors: [
          ...plan.blinks.map((b): LongDistractorTruth => ({ kind: 'blink', onset: number(b.onset), offset: number(b.offset), amplitude: round(blinkAmplitude, 3) })),
          ...heads.map(
            (h): LongDistractorTruth => ({
              kind: 'head',
              onset: number(h.event.onset),
              offset: number(h.event.offset),
              amplitude: round(Math.hypot(h.pose.tx, h.pose.ty), 3),
              rollDegrees: round((h.pose.angle * 180) / Math.PI, 3),
            }),
          ),
        ].sort((a, b) => a.onset - b.onset),
        landmarks: Object.fromEntries(Object.entries(landmarks).map(([n, p]) => [n, roundPoint(p)])) as Landmarks,
      })
      options.onProgress?.(videos.length, total)
    }
  }
  await writeLongWorkbook(join(outDir, LONG_LABEL_FILE), videos, settings.subjects)
  const truth: LongGroundTruth = {
    generator: 'me-studio-synth',
    version: 1,
    format: 'long',
    seed: settings.seed,
    width,
    height,
    fps,
    sourceFace: sourceFaceName(options.facesDir, faces),
    labelFile: LONG_LABEL_FILE,
    videos,
  }
  await writeFile(join(outDir, 'ground-truth.json'), JSON.stringify(truth, null, 2) + '\n')
  await writeFile(join(outDir, 'PROVENANCE.md'), provenance(settings.seed, fps))
  return truth
}

interface VideoPlan {
  expressions: Event[]
  blinks: Event[]
  heads: Event[]
}

/**
 * Places the events on the timeline, never overlapping and at least 0.5 s apart (1 s clear at
 * both ends): 1–3 macro (0.7–2 s), 2–6 micro (rise 70–150 ms, fall 120–280 ms, ≤ 500 ms
 * inclusive), a blink every 5–9 s (100–250 ms) and 1–2 head bursts (+1 per 30 s; 0.4–1.2 s).
 * An event that finds no room (a very short video) is left out.
 */
function planVideo(random: Random, frameCount: number, fps: number): VideoPlan {
  const seconds = frameCount / fps
  const gap = Math.round(0.5 * fps)
  const margin = Math.round(1 * fps)
  const placed: Event[] = []
  const place = (kind: Event['kind'], rise: number, fall: number): Event | null => {
    for (let attempt = 0; attempt < 60; attempt++) {
      const onset = random.int(margin, Math.max(margin, frameCount - 1 - margin - rise - fall))
      const event = { kind, onset, apex: onset + rise, offset: onset + rise + fall }
      if (event.offset >= frameCount - margin) return null
      if (placed.every((p) => event.offset + gap < p.onset || event.onset > p.offset + gap)) {
        placed.push(event)
        return event
      }
    }
    return null
  }
  const frames = (lo: number, hi: number) => Math.max(2, Math.round(random.uniform(lo, hi) * fps))
  const expressions: Event[] = []
  const heads: Event[] = []
  const blinks: Event[] = []
  for (let n = random.int(1, 3); n > 0; n--) {
    const e = place('macro', frames(0.3, 0.8), frames(0.4, 1.2))
    if (e) expressions.push(e)
  }
  const maxMicro = Math.floor((MAX_MICRO_EXPRESSION_MS / 1000) * fps) - 1
  for (let n = random.int(2, 6); n > 0; n--) {
    const rise = frames(0.07, 0.15)
    const e = place('micro', rise, Math.min(maxMicro - rise, frames(0.12, 0.28)))
    if (e) expressions.push(e)
  }
  for (let n = 1 + random.int(0, 1) + Math.floor(seconds / 30); n > 0; n--) {
    const rise = frames(0.15, 0.5)
    const e = place('head', rise, rise + frames(0.1, 0.2))
    if (e) heads.push(e)
  }
  for (let t = random.uniform(2, 6); t < seconds - 1; t += random.uniform(5, 9)) {
    const length = frames(0.1, 0.25)
    const rise = Math.max(1, Math.round(length * 0.4))
    const e = place('blink', rise, Math.max(1, length - rise))
    if (e) blinks.push(e)
  }
  const byOnset = (a: Event, b: Event) => a.onset - b.onset
  return { expressions: expressions.sort(byOnset), blinks: blinks.sort(byOnset), heads: heads.sort(byOnset) }
}

/** A blink as the upper lids sweeping down over both eyes: a push centred just above each eye. */
function eyelidRegions(appearance: SubjectAppearance, landmarks: Landmarks, iod: number, amplitude: number): ActionRegion[] {
  const down = faceDirectionToOutput(appearance, 0, 1)
  const sigma = 0.12 * iod
  return [landmarks.leftEye, landmarks.rightEye].map((eye, i) => {
    const centre = { x: eye.x - 0.08 * iod * down.x, y: eye.y - 0.08 * iod * down.y }
    return {
      name: i === 0 ? 'left upper lid' : 'right upper lid',
      centre,
      direction: down,
      sigma,
      box: [centre.x - 2 * sigma, centre.y - 2 * sigma, centre.x + 2 * sigma, centre.y + 2 * sigma],
      peak: amplitude,
    }
  })
}

/**
 * The workbook as CAS(ME)² publishes it: `CASMEcode_final` without a header (participant,
 * expression name, onset, apex, offset, AUs, emotion, type), then the two naming rules.
 */
async function writeLongWorkbook(path: string, videos: LongVideoTruth[], subjects: number): Promise<void> {
  const workbook = await pinnedWorkbook('ME Studio synthetic generator', new Date(Date.UTC(2026, 0, 1)))
  const codes = workbook.addWorksheet('CASMEcode_final')
  for (const video of videos) {
    for (const e of video.expressions) {
      codes.addRow([video.participant, e.name, e.onset, e.apex, e.offset, e.auText, e.emotion, `${e.kind}-expression`])
    }
  }
  const rule1 = workbook.addWorksheet('naming rule1')
  rule1.addRow(['participant', 'subject folder'])
  for (let s = 0; s < subjects; s++) rule1.addRow([s + 1, FIRST_SUBJECT_FOLDER + s])
  const rule2 = workbook.addWorksheet('naming rule2')
  rule2.addRow(['code', 'expression'])
  for (const [code, stem] of VIDEOS) rule2.addRow([code, stem])
  await writeFile(path, pinZipTimestamps(new Uint8Array(await workbook.xlsx.writeBuffer())))
}

function validate(settings: typeof LONG_SYNTH_DEFAULTS & LongSynthOptions): void {
  const int = (value: number, name: string, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new StudioError('invalid-input', `${name} must be an integer in 1..${max}, got ${value}`)
  }
  int(settings.subjects, 'subjects', 26)
  int(settings.videosPerSubject, 'videosPerSubject', VIDEOS.length)
  int(settings.width, 'width', 4096)
  int(settings.height, 'height', 4096)
  if (settings.width < 64 || settings.height < 64) throw new StudioError('invalid-input', 'frames must be at least 64×64')
  if (!(settings.fps >= 10 && settings.fps <= 1000)) throw new StudioError('invalid-input', `fps must be in 10..1000, got ${settings.fps}`)
  const [min, max] = settings.durationSeconds
  if (!(min >= 5 && max >= min && max <= 600)) throw new StudioError('invalid-input', 'durationSeconds must be [min, max] with 5 ≤ min ≤ max ≤ 600')
  if (!Number.isInteger(settings.seed)) throw new StudioError('invalid-input', 'seed must be an integer')
}

function roundPoint(p: { x: number; y: number }) {
  return { x: round(p.x, 3), y: round(p.y, 3) }
}

function provenance(seed: number, fps: number): string {
  return `# Synthetic long videos (CAS(ME)²-shaped, ${fps} fps, seed ${seed})

Generated by ME Studio (\`me-studio synth --format long\`). Subjects are drawn from real face
photos: the bundled public-domain NASA portrait of Eileen Collins (\`astronaut.png\` from
scikit-image) unless \`--faces\` named a folder (\`ground-truth.json\` gives each video's identity). Each
video holds micro-expressions (≤ 500 ms) and macro-expressions (0.7–2 s) animated as synthetic
displacement fields at the face's detected landmarks, among distractors: blinks (upper lids pushed down
over both eyes), rigid head-motion bursts (translation and roll that return), a slow head drift and
sensor noise. \`ground-truth.json\` lists every expression and distractor with its frame numbers
(img<N>.jpg); \`CAS(ME)^2code_final.xlsx\` codes the expressions as CAS(ME)² does.
`
}
