import { resolve } from 'node:path'
import { StudioError } from '@shared/ipc'
import { SPOT_SIGNAL_NAMES } from '@shared/ipc/channels/motion'
import { MediaService } from '../../services/media'
import { spotLongClip, type LongSpotResult } from '../../services/motion/interval-spotting'
import { STUDIO_SPOTTING, spotFrames, type SpotSignalName } from '../../services/motion/spotting'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { EXIT, UsageError, stringOption, type CliIo, type CommandRun } from '../command'
import { cropOption, grayOf, loadClip, numberOption } from './clip-vision'

const SIGNALS = SPOT_SIGNAL_NAMES

export const run: CommandRun = async ({ values, positionals }, io) => {
  if (values.intervals) return spotIntervalsCommand(positionals[0]!, values, io)
  for (const name of ['json', 'min-confidence', 'kinds'] as const) {
    if (values[name] !== undefined) throw new UsageError(`--${name} goes with --intervals`)
  }
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

async function spotIntervalsCommand(path: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  for (const name of ['onset', 'offset', 'signal', 'crop', 'no-face', 'sigma', 'start', 'count'] as const) {
    if (values[name] !== undefined) throw new UsageError(`--${name} does not apply to --intervals`)
  }
  const minConfidence = numberOption(values, 'min-confidence', 0)
  if (minConfidence < 0 || minConfidence > 1) throw new UsageError(`--min-confidence must be in 0..1, got ${minConfidence}`)
  const kinds = (stringOption(values, 'kinds') ?? 'micro,macro').split(',').map((k) => k.trim())
  if (kinds.length === 0 || kinds.some((k) => k !== 'micro' && k !== 'macro')) throw new UsageError(`--kinds must list micro and/or macro, got ${String(values.kinds)}`)
  const fps = values.fps === undefined ? undefined : numberOption(values, 'fps', 0)
  if (fps !== undefined && !(fps > 0)) throw new UsageError(`--fps must be positive, got ${fps}`)
  const pool = new VisionPool(visionWorkerLocation())
  let result: LongSpotResult
  try {
    result = await spotLongClip(resolve(io.cwd, path), { media: new MediaService(), pool }, {
      ...(fps ? { fps } : {}),
      onProgress: ({ done, total, etaSeconds }) => {
        if (io.isTty) io.stderr(`\rspot ${done}/${total} frames${etaSeconds === null ? '' : `, ${Math.ceil(etaSeconds)} s left`}   `)
      },
    })
  } finally {
    await pool.destroy()
  }
  if (io.isTty) io.stderr('\n')
  for (const warning of result.warnings) io.stderr(`me-studio spot: ${warning}\n`)
  const keep = (i: LongSpotResult['intervals'][number]) => kinds.includes(i.kind) && i.confidence >= minConfidence
  const brief = (i: LongSpotResult['intervals'][number]) => ({ onset: i.onset, apex: i.apex, offset: i.offset, kind: i.kind, confidence: round(i.confidence) })
  const intervals = result.intervals.filter((i) => i.label === 'expression' && keep(i))
  const rejected = result.intervals.filter((i) => i.label !== 'expression' && keep(i))
  if (values.json) {
    io.stdout(
      JSON.stringify({
        clip: result.clip,
        intervals: intervals.map((i) => ({ ...brief(i), regions: i.regions })),
        frames: result.frames,
        fps: result.fps,
        rejected: rejected.map((i) => ({ ...brief(i), reason: i.label })),
        face: result.face,
        scales: result.scales,
        warnings: result.warnings,
      }) + '\n',
    )
    return EXIT.ok
  }
  const seconds = (frames: number) => `${((frames / result.fps) * 1000).toFixed(0)} ms`
  io.stdout(`${result.clip}: ${result.frames} frames at ${result.fps} fps, ${intervals.length} interval(s)\n`)
  for (const i of intervals) {
    io.stdout(`${i.kind}\t${i.onset}\t${i.apex}\t${i.offset}\t${seconds(i.offset - i.onset + 1)}\tconfidence ${i.confidence.toFixed(2)}\t${i.regions.join(', ')}\n`)
  }
  for (const i of rejected) io.stdout(`(${i.label})\t${i.onset}\t${i.apex}\t${i.offset}\t${seconds(i.offset - i.onset + 1)}\n`)
  return EXIT.ok
}

function round(v: number): number {
  return Math.round(v * 1e4) / 1e4
}
