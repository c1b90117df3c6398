import { resolve } from 'node:path'
import { checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { SYNTH_DEFAULTS, generateSyntheticDataset } from '../../services/synth/generate'
import { SYNTH_FORMATS, type SynthFormat } from '../../services/synth/truth'
import { EXIT, UsageError, defineCommand, intOption, stringOption } from '../command'

export const synthCommand = defineCommand({
  name: 'synth',
  summary: 'Generate a synthetic micro-expression dataset with known onset/apex/offset, AUs and apex flow.',
  usage: '<out-dir> [--subjects N] [--samples-per-subject K] [--seed S] [--format casme2|samm|video] [--size WxH] [--fps F] [--head-motion] [--force]',
  help: `Options:
  --subjects N              synthetic subjects derived from the bundled face photo (default ${SYNTH_DEFAULTS.subjects})
  --samples-per-subject K   clips per subject (default ${SYNTH_DEFAULTS.samplesPerSubject})
  --seed S                  same seed → byte-identical files (default ${SYNTH_DEFAULTS.seed})
  --format F                casme2: sub01/EP01_03/img123.jpg + CASME2-coding-*.xlsx
                            samm:   006/006_1_1/006_05562.jpg (grey) + SAMM_Micro_FACS_Codes_v2.xlsx
                            video:  s01/s01_01.mp4 (H.264) + labels.csv (0-based frame indices)
                            (default ${SYNTH_DEFAULTS.format})
  --size WxH                frame size, even numbers (default ${SYNTH_DEFAULTS.width}x${SYNTH_DEFAULTS.height})
  --fps F                   frame rate (default ${SYNTH_DEFAULTS.fps})
  --head-motion             add a slow sub-pixel rigid head drift
  --force                   write into a non-empty <out-dir> (without it only a new or empty folder)

Writes ground-truth.json (per sample: onset/apex/offset, AUs, emotion, MEGC class, moving regions,
landmarks) and ground-truth/<subject>/<sample>.flo (onset→apex displacement, Middlebury .flo).`,
  options: {
    subjects: { type: 'string' },
    'samples-per-subject': { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string' },
    size: { type: 'string' },
    fps: { type: 'string' },
    'head-motion': { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run({ values, positionals }, io) {
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
  },
})
