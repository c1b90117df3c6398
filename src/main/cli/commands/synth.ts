import { resolve } from 'node:path'
import { checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { generateSyntheticDataset } from '../../services/synth/generate'
import { generateLongDataset } from '../../services/synth/long'
import { LONG_SYNTH_DEFAULTS, SYNTH_DEFAULTS, SYNTH_FORMATS, type SynthFormat } from '../../services/synth/truth'
import { EXIT, UsageError, intOption, stringOption, type CommandRun } from '../command'

export const run: CommandRun = async ({ values, positionals }, io) => {
  const format = stringOption(values, 'format') ?? SYNTH_DEFAULTS.format
  if (!([...SYNTH_FORMATS, 'long'] as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${[...SYNTH_FORMATS, 'long'].join(', ')}, got ${format}`)
  const defaults = format === 'long' ? LONG_SYNTH_DEFAULTS : SYNTH_DEFAULTS
  const size = stringOption(values, 'size') ?? `${defaults.width}x${defaults.height}`
  const match = /^(\d+)x(\d+)$/i.exec(size)
  if (!match) throw new UsageError(`--size must look like 256x256, got ${size}`)
  const outDir = resolve(io.cwd, positionals[0]!)
  await checkExportFolder(outDir, values.force === true)
  const started = performance.now()
  const onProgress = (done: number, total: number) => {
    if (io.isTty) io.stderr(`\rsynth ${done}/${total}`)
  }
  const facesOption = stringOption(values, 'faces')
  const faces = facesOption === undefined ? {} : { facesDir: resolve(io.cwd, facesOption), onFaceSkipped: (message: string) => io.stderr(`me-studio synth: ${message}\n`) }
  if (format === 'long') {
    const truth = await generateLongDataset({
      outDir,
      subjects: intOption(values, 'subjects', LONG_SYNTH_DEFAULTS.subjects),
      videosPerSubject: intOption(values, 'videos-per-subject', LONG_SYNTH_DEFAULTS.videosPerSubject),
      seed: intOption(values, 'seed', LONG_SYNTH_DEFAULTS.seed),
      width: Number(match[1]),
      height: Number(match[2]),
      fps: intOption(values, 'fps', LONG_SYNTH_DEFAULTS.fps),
      durationSeconds: durationOption(stringOption(values, 'duration')),
      ...faces,
      onProgress,
    })
    if (io.isTty) io.stderr('\n')
    const count = (kind: string) => truth.videos.reduce((sum, v) => sum + v.expressions.filter((e) => e.kind === kind).length, 0)
    const frames = truth.videos.reduce((sum, v) => sum + v.frameCount, 0)
    io.stdout(
      `${truth.videos.length} long videos (${count('micro')} micro, ${count('macro')} macro), ${frames} frames (${truth.width}x${truth.height} @ ${truth.fps} fps) ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s → ${outDir}\nlabels: ${truth.labelFile}; ground truth: ground-truth.json\n`,
    )
    return EXIT.ok
  }
  const truth = await generateSyntheticDataset({
    outDir,
    format: format as SynthFormat,
    subjects: intOption(values, 'subjects', SYNTH_DEFAULTS.subjects),
    samplesPerSubject: intOption(values, 'samples-per-subject', SYNTH_DEFAULTS.samplesPerSubject),
    seed: intOption(values, 'seed', SYNTH_DEFAULTS.seed),
    width: Number(match[1]),
    height: Number(match[2]),
    fps: intOption(values, 'fps', SYNTH_DEFAULTS.fps),
    headMotion: Boolean(values['head-motion']),
    ...faces,
    ...(format === 'video' ? { ffmpegPath: await requireFfmpeg({ env: io.env }) } : {}),
    onProgress,
  })
  if (io.isTty) io.stderr('\n')
  const frames = truth.samples.reduce((sum, s) => sum + s.frameCount, 0)
  io.stdout(
    `${truth.samples.length} samples, ${truth.subjects.length} subjects, ${frames} frames (${truth.width}x${truth.height} @ ${truth.fps} fps, ${format}) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s → ${outDir}\nlabels: ${truth.labelFile}; ground truth: ground-truth.json\n`,
  )
  return EXIT.ok
}

/** `--duration 30` or `--duration 20-120` (seconds). */
function durationOption(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim())
  if (!match) throw new UsageError(`--duration must be seconds (30) or a range (20-120), got ${text}`)
  const min = Number(match[1])
  return [min, match[2] === undefined ? min : Number(match[2])]
}
