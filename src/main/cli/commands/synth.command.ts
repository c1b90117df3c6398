import { SYNTH_DEFAULTS } from '../../services/synth/truth'
import { defineCommand } from '../command'

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
  load: async () => (await import('./synth')).run,
})
