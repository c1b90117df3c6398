import { resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { SPOT_SIGNAL_NAMES, SpotRequestSchema } from '@shared/ipc/channels/motion'
import { spotLongClip, type LongSpotResult } from '../../services/motion/interval-spotting'
import { STUDIO_SPOTTING } from '../../services/motion/spotting'
import { EXIT, UsageError, intOption, stringOption, type CliIo, type CommandRun } from '../command'
import { withStudio } from './cli-studio'
import { cropOption, numberOption } from './clip-options'
import { parseRequest } from './request'

/** Request fields → the flags that set them, for error messages. */
const FLAGS = { signal: '--signal', side: '--crop', temporalSigma: '--sigma', count: '--count', start: '--start', onset: '--onset', offset: '--offset' }

export const run: CommandRun = async ({ values, positionals }, io) => {
  if (values.intervals) return spotIntervalsCommand(positionals[0]!, values, io)
  for (const name of ['json', 'min-confidence', 'kinds'] as const) {
    if (values[name] !== undefined) throw new UsageError(`--${name} goes with --intervals`)
  }
  const signalName = stringOption(values, 'signal') ?? STUDIO_SPOTTING.signal
  if (!(SPOT_SIGNAL_NAMES as readonly string[]).includes(signalName))
    throw new UsageError(`--signal must be one of ${SPOT_SIGNAL_NAMES.join(', ')}, got ${signalName}`)
  const crop = stringOption(values, 'crop')
  const side = crop === undefined ? undefined : cropOption(crop)
  const sigma = values.sigma === undefined ? undefined : numberOption(values, 'sigma', 0)
  const fps = values.fps === undefined ? undefined : numberOption(values, 'fps', 0)

  return withStudio(io, async (studio) => {
    const clipPath = resolve(io.cwd, positionals[0]!)
    // Image folders carry no frame rate: the first open sets it for the service too.
    const info = await studio.frames.open(clipPath, fps ? { fps } : {})
    const start = intOption(values, 'start', 0)
    const count = intOption(values, 'count', info.frameCount - start)
    const numbers = info.frameNumbers.slice(start, start + count)
    const toIndex = (name: string): number | null => {
      if (values[name] === undefined) return null
      const n = numberOption(values, name, 0)
      const i = numbers.indexOf(n)
      if (i < 0)
        throw new StudioError(
          'invalid-input',
          `--${name} ${n} is not a frame number of the range (${numbers[0]}..${numbers[numbers.length - 1]})`,
        )
      return start + i
    }
    const request = parseRequest(
      SpotRequestSchema,
      { clipPath, start, count, onset: toIndex('onset'), offset: toIndex('offset'), signal: signalName, side, temporalSigma: sigma, face: !values['no-face'] },
      FLAGS,
    )
    const r = await studio.motion.spot(request)
    if (!values['no-face'] && !r.faceFound) {
      io.stderr('me-studio spot: no face found on the reference frame; measured the whole frame without a head-motion reference\n')
    }
    const number = (index: number) => numbers[index - start]
    const result = {
      clip: info.path,
      fps: info.fps,
      signal: signalName,
      onset: number(r.onset),
      apex: number(r.apex),
      offset: number(r.offset),
      confidence: round(r.confidence),
      onsetSuggested: r.onsetSuggested,
      offsetSuggested: r.offsetSuggested,
      indices: { onset: r.onset, apex: r.apex, offset: r.offset },
      apexAfterOnsetMs: round(((r.apex - r.onset) / info.fps) * 1000),
      peaks: r.peaks.map((p) => ({
        frame: number(p.index),
        value: round(p.value),
        prominence: round(p.prominence),
        confidence: round(p.confidence),
      })),
      face: { found: r.faceFound, ...(r.faceFound ? { score: r.faceScore, crop: r.side } : {}) },
      curve: r.curve.map(round),
    }
    io.stdout(JSON.stringify(result) + '\n')
    return EXIT.ok
  })
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
  const result: LongSpotResult = await withStudio(io, (studio) =>
    spotLongClip(resolve(io.cwd, path), { media: studio.frames, pool: studio.vision }, {
      ...(fps ? { fps } : {}),
      onProgress: ({ done, total, etaSeconds }) => {
        if (io.isTty) io.stderr(`\rspot ${done}/${total} frames${etaSeconds === null ? '' : `, ${Math.ceil(etaSeconds)} s left`}   `)
      },
    }),
  )
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
