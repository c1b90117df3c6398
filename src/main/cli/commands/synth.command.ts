import { LONG_SYNTH_DEFAULTS, SYNTH_DEFAULTS } from '../../services/synth/truth'
import { defineCommand } from '../command'

export const synthCommand = defineCommand({
  name: 'synth',
  summary: 'Generate a synthetic micro-expression dataset with known onset/apex/offset, AUs and apex flow.',
  usage: '<out-dir> [--subjects N] [--samples-per-subject K] [--seed S] [--format casme2|samm|video|long] [--faces DIR] [--size WxH] [--fps F] [--head-motion] [--videos-per-subject K] [--duration S|MIN-MAX] [--force]',
  help: `Options:
  --subjects N              synthetic subjects (default ${SYNTH_DEFAULTS.subjects})
  --faces DIR               face photos (.jpg .jpeg .png .webp), one identity per usable face (group photos
                            give several), each subject a different one, AU motion placed at the detected
                            68 landmarks; small, profile or face-less photos are skipped with a message.
                            Default: the bundled face (one public-domain photo, shared by all subjects)
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

Writes ground-truth.json (per subject: its identity; per sample: onset/apex/offset, AUs, emotion,
MEGC class, moving regions, landmarks) and ground-truth/<subject>/<sample>.flo (onset→apex displacement, Middlebury .flo).
For --format long, ground-truth.json lists every video's expressions (kind, onset/apex/offset as
img<N> numbers, AUs) and distractors (blinks, head bursts).`,
  options: {
    subjects: { type: 'string' },
    'samples-per-subject': { type: 'string' },
    seed: { type: 'string' },
    format: { type: 'string' },
    faces: { type: 'string' },
    size: { type: 'string' },
    fps: { type: 'string' },
    'head-motion': { type: 'boolean' },
    'videos-per-subject': { type: 'string' },
    duration: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  load: async () => (await import('./synth')).run,
})
