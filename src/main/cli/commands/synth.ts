import { resolve } from 'node:path'
import { checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { SYNTH_DEFAULTS, generateSyntheticDataset } from '../../services/synth/generate'
import { LONG_SYNTH_DEFAULTS, generateLongDataset } from '../../services/synth/long'
import { SYNTH_FORMATS, type SynthFormat } from '../../services/synth/truth'
import { EXIT, UsageError, defineCommand, intOption, stringOption } from '../command'

export const synthCommand = defineCommand({
  name: 'synth',
  summary: 'Generate a synthetic micro-expression dataset with known onset/apex/offset, AUs and apex flow.',
  usage: '<out-dir> [--subjects N] [--samples-per-subject K] [--seed S] [--format casme2|samm|video|long] [--size WxH] [--fps F] [--head-motion] [--videos-per-subject K] [--duration S|MIN-MAX] [--force]',
  help: `Options:
  --subjects N              synthetic subjects derived from the bundled face photo (default ${SYNTH_DEFAULTS.subjects})
  --samples-per-subject K   clips per subject (default ${SYNTH_DEFAULTS.samplesPerSubject})
  --seed S                  same seed → byte-identical files (default ${SYNTH_DEFAULTS.seed})
  --format F                casme2: sub01/EP01_03/img123.jpg + CASME2-coding-*.xlsx
                            samm:   006/006_1_1/006_05562.jpg (grey) + SAMM_Micro_FACS_Codes_v2.xlsx
                            video:  s01/s01_01.mp4 (H.264) + labels.csv (0-based frame indices)
                            long:   CAS(ME)²-shaped long videos rawpic/s15/15_0101disgustingteeth/img1.jpg
                                    + CAS(ME)^2code_final.xlsx: 2–6 micro- and 1–3 macro-expressions per
                                    video among blinks, head-motion bursts, slow drift and noise
                            (default ${SYNTH_DEFAULTS.format})
  --size WxH                frame size, even numbers (default ${SYNTH_DEFAULTS.width}x${SYNTH_DEFAULTS.height}; long: ${LONG_SYNTH_DEFAULTS.width}x${LONG_SYNTH_DEFAULTS.height})
  --fps F                   frame rate (default ${SYNTH_DEFAULTS.fps}; long: ${LONG_SYNTH_DEFAULTS.fps}, 200 for SAMM-like long videos)
  --head-motion             add a slow sub-pixel rigid head drift
  --videos-per-subject K    long: videos per subject (default ${LONG_SYNTH_DEFAULTS.videosPerSubject})
  --duration S|MIN-MAX      long: video length in seconds, or a range to draw from (default ${LONG_SYNTH_DEFAULTS.durationSeconds.join('-')})
  --force                   write into a non-empty <out-dir> (without it only a new or empty folder)

Writes ground-truth.json (per sample: onset/apex/offset, AUs, emotion, MEGC class, moving regions,
landmarks) and ground-truth/<subject>/<sample>.flo (onset→apex displacement, Middlebury .flo).
For --format long, ground-truth.json lists every video's expressions (kind, onset/apex/offset as
img<N> numbers, AUs) and distractors (blinks, head bursts).`,
  options: {
    subjects: { type: 'string' },
    'samples-per-subject': { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string' },
    size: { type: 'string' },
    fps: { type: 'string' },
    'head-motion': { type: 'boolean' },
    'videos-per-subject': { type: 'string' },
    duration: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  async run({ values, positionals }, io) {
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
  },
})

/** `--duration 30` or `--duration 20-120` (seconds). */
function durationOption(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined
  const match = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?$/.exec(text.trim())
  if (!match) throw new UsageError(`--duration must be seconds (30) or a range (20-120), got ${text}`)
  const min = Number(match[1])
  return [min, match[2] === undefined ? min : Number(match[2])]
}
