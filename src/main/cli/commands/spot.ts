import { StudioError } from '@shared/ipc'
import { auRegions } from '../../vision/face/regions'
import { farnebackFlow } from '../../vision/farneback'
import type { FlowField, GrayImage } from '../../vision/image'
import { SPOT_DEFAULTS, spotApex, type FlowFunction, type SpotOptions, type SpotResult } from '../../vision/spotting'
import { opticalStrain } from '../../vision/strain'
import { tvl1Flow } from '../../vision/tvl1'
import { EXIT, UsageError, defineCommand, stringOption } from '../command'
import { alignGray, alignOn, cropOption, grayOf, loadClip, numberOption } from './clip-vision'

const SIGNALS = ['difference', 'translation', 'farneback', 'tvl1', 'strain'] as const

export const spotCommand = defineCommand({
  name: 'spot',
  summary: 'Suggest the apex (and onset/offset when not coded) of a clip from a motion curve; prints JSON.',
  usage: '<clip> [--onset N] [--offset N] [--signal farneback|difference|translation|tvl1|strain] [options]',
  help: `<clip> is a video file or an image-sequence folder. Frame numbers are the dataset's own
(the numbers in the file names, e.g. img46.jpg → 46; 0-based indices for videos).

Options:
  --onset N        coded onset frame number: the reference of the motion signal (else the first frame,
                   and the onset is suggested)
  --offset N       coded offset frame number (else suggested)
  --signal S       farneback (default: opencv-wasm flow, apex MAE 1.1 frames on generated clips),
                   difference (frame difference with head translation removed, no flow),
                   translation (per-region least-squares translation minus the nose patch's),
                   tvl1 (TV-L1 flow, slow), strain (TV-L1 optical strain)
  --crop SIDE      face crop the signal is measured on (default 128; presets as in magnify)
  --no-face        skip face detection: whole frame, no nose reference
  --sigma F        temporal smoothing σ in frames (default ${SPOT_DEFAULTS.temporalSigma})
  --fps N          frame rate (image folders carry none; default 30)
  --start N --count N  frame range (0-based index)

Prints {onset, apex, offset, confidence, curve, …}: onset/apex/offset as frame numbers, their
0-based indices under "indices", the apex time after the onset in ms, the top peaks, the
smoothed curve (one value per frame of the range; px of displacement for difference/flow
signals) and the face found.`,
  options: {
    onset: { type: 'string' },
    offset: { type: 'string' },
    signal: { type: 'string' },
    crop: { type: 'string' },
    'no-face': { type: 'boolean' },
    sigma: { type: 'string' },
    fps: { type: 'string' },
    start: { type: 'string' },
    count: { type: 'string' },
  },
  positionals: [1, 1],
  async run({ values, positionals }, io) {
    const signalName = stringOption(values, 'signal') ?? 'farneback'
    if (!(SIGNALS as readonly string[]).includes(signalName))
      throw new UsageError(`--signal must be one of ${SIGNALS.join(', ')}, got ${signalName}`)
    const side = cropOption(stringOption(values, 'crop') ?? '128')
    const clip = await loadClip(positionals[0]!, io, values, 'gray')
    const numbers = clip.info.frameNumbers.slice(clip.start, clip.start + clip.frames.length)
    const toIndex = (name: string): number | undefined => {
      if (values[name] === undefined) return undefined
      const n = numberOption(values, name, 0)
      const i = numbers.indexOf(n)
      if (i < 0)
        throw new StudioError(
          'invalid-input',
          `--${name} ${n} is not a frame number of the range (${numbers[0]}..${numbers[numbers.length - 1]})`,
        )
      return i
    }
    const onset = toIndex('onset')
    const offset = toIndex('offset')
    const { result: r, face } = await spotFrames(clip.frames.map(grayOf), {
      onset,
      offset,
      signal: signalName as SpotSignalName,
      side,
      face: !values['no-face'],
      temporalSigma: numberOption(values, 'sigma', SPOT_DEFAULTS.temporalSigma),
    })
    if (!values['no-face'] && !face.found) {
      io.stderr('me-studio spot: no face found on the reference frame; measured the whole frame without a head-motion reference\n')
    }
    const fps = clip.info.fps
    const result = {
      clip: clip.info.path,
      fps,
      signal: signalName,
      onset: numbers[r.onset],
      apex: numbers[r.apex],
      offset: numbers[r.offset],
      confidence: round(r.confidence),
      onsetSuggested: r.onsetSuggested,
      offsetSuggested: r.offsetSuggested,
      indices: { onset: clip.start + r.onset, apex: clip.start + r.apex, offset: clip.start + r.offset },
      apexAfterOnsetMs: round(((r.apex - r.onset) / fps) * 1000),
      peaks: r.peaks.map((p) => ({
        frame: numbers[p.frame],
        value: round(p.value),
        prominence: round(p.prominence),
        confidence: round(p.confidence),
      })),
      face,
      curve: r.curve.map(round),
    }
    io.stdout(JSON.stringify(result) + '\n')
    return EXIT.ok
  },
})

export type SpotSignalName = (typeof SIGNALS)[number]

export interface SpotFramesOptions {
  onset?: number
  offset?: number
  signal: SpotSignalName
  /** Side of the face crop the signal is measured on. */
  side: number
  /** Detect and align the face (else whole frame, no reference patch). */
  face: boolean
  temporalSigma: number
}

/**
 * The spotting pipeline of the command (also used by bench/spotting.bench.ts): face detection on
 * the reference frame, onset-frame alignment of the whole clip, AU regions with the nose
 * reference, then `spotApex` with the chosen signal. Indices are 0-based positions in `frames`.
 */
export async function spotFrames(
  frames: GrayImage[],
  o: SpotFramesOptions,
): Promise<{ result: SpotResult; face: { found: boolean; score?: number; crop?: number } }> {
  const options: SpotOptions = { onset: o.onset, offset: o.offset, temporalSigma: o.temporalSigma }
  let face: { found: boolean; score?: number; crop?: number } = { found: false }
  if (o.face) {
    const alignment = await alignOn(frames[o.onset ?? 0]!, o.side)
    if (alignment) {
      frames = frames.map((f) => alignGray(f, alignment))
      options.regions = auRegions(alignment.landmarks)
      face = { found: true, score: alignment.face.score, crop: o.side }
    }
  }
  if (o.signal === 'difference' || o.signal === 'translation') {
    options.signal = o.signal
  } else {
    const flow: FlowFunction = o.signal === 'farneback' ? (a, b): FlowField => farnebackFlow(a, b) : (a, b): FlowField => tvl1Flow(a, b)
    options.flow = flow
    options.signal = o.signal === 'strain' ? 'strain' : 'flow'
    if (o.signal === 'strain') options.strain = (f) => opticalStrain(f)
  }
  return { result: spotApex(frames, options), face }
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4
}
