import { StudioError } from '@shared/ipc'
import { SPOT_SIGNALS, STUDIO_SPOTTING, spotFrames, type SpotSignalName } from '../../services/motion/spotting'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'
import { cropOption, grayOf, loadClip, numberOption } from './clip-vision'

const SIGNALS = SPOT_SIGNALS

export const run: CommandRun = async ({ values, positionals }, io) => {
  const signalName = stringOption(values, 'signal') ?? STUDIO_SPOTTING.signal
  if (!(SIGNALS as readonly string[]).includes(signalName))
    throw new UsageError(`--signal must be one of ${SIGNALS.join(', ')}, got ${signalName}`)
  const side = cropOption(stringOption(values, 'crop') ?? String(STUDIO_SPOTTING.side))
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
  const pool = new VisionPool(visionWorkerLocation())
  const { result: r, face: found } = await spotFrames(
    clip.frames.map(grayOf),
    {
      onset,
      offset,
      signal: signalName as SpotSignalName,
      side,
      face: !values['no-face'],
      temporalSigma: numberOption(values, 'sigma', STUDIO_SPOTTING.temporalSigma),
    },
    pool,
  ).finally(() => pool.destroy())
  const face = { found: found.found, ...(found.found ? { score: found.score, crop: found.crop } : {}) }
  if (!values['no-face'] && !found.found) {
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
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4
}
