import { resolve } from 'node:path'
import { checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { generateSyntheticDataset } from '../../services/synth/generate'
import { SYNTH_DEFAULTS, SYNTH_FORMATS, type SynthFormat } from '../../services/synth/truth'
import { EXIT, UsageError, intOption, stringOption, type CommandRun } from '../command'

export const run: CommandRun = async ({ values, positionals }, io) => {
  const format = stringOption(values, 'format') ?? SYNTH_DEFAULTS.format
  if (!(SYNTH_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${SYNTH_FORMATS.join(', ')}, got ${format}`)
  const size = stringOption(values, 'size') ?? `${SYNTH_DEFAULTS.width}x${SYNTH_DEFAULTS.height}`
  const match = /^(\d+)x(\d+)$/i.exec(size)
  if (!match) throw new UsageError(`--size must look like 256x256, got ${size}`)
  const outDir = resolve(io.cwd, positionals[0]!)
  await checkExportFolder(outDir, values.force === true)
  const started = performance.now()
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
    ...(format === 'video' ? { ffmpegPath: await requireFfmpeg({ env: io.env }) } : {}),
    onProgress: (done, total) => {
      if (io.isTty) io.stderr(`\rsynth ${done}/${total}`)
    },
  })
  if (io.isTty) io.stderr('\n')
  const frames = truth.samples.reduce((sum, s) => sum + s.frameCount, 0)
  io.stdout(
    `${truth.samples.length} samples, ${truth.subjects.length} subjects, ${frames} frames (${truth.width}x${truth.height} @ ${truth.fps} fps, ${format}) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s → ${outDir}\nlabels: ${truth.labelFile}; ground truth: ground-truth.json\n`,
  )
  return EXIT.ok
}
