import type { Emotion, MegcClass } from '@shared/domain/dataset'
import type { ActionRegion, SynthAction } from './actions'
import type { Landmarks } from './face'

export const SYNTH_FORMATS = ['casme2', 'samm', 'video'] as const
export type SynthFormat = (typeof SYNTH_FORMATS)[number]

/** Everything known about one generated sample; written to `ground-truth.json`. */
export interface SampleTruth {
  /** Folder name of the subject (`sub01`, `006`, `s01`). */
  subject: string
  /** Subject as written in the label sheet (`01`, `006`, `s01`). */
  subjectLabel: string
  sample: string
  /** Frame folder or video file, relative to the dataset root, `/`-separated. */
  path: string
  fps: number
  width: number
  height: number
  frameCount: number
  /** Number in the first frame's file name (0 for videos: decoder indices). */
  firstFrameNumber: number
  /** Frame numbers as written in the label sheet (file-name numbers; 0-based indices for videos). */
  onset: number
  apex: number
  offset: number
  /** The same three frames as 0-based positions in the clip. */
  onsetIndex: number
  apexIndex: number
  offsetIndex: number
  action: SynthAction
  auCodes: string[]
  auText: string
  emotion: Emotion
  megcClass: MegcClass
  objectiveClass: string
  /** Peak displacement of the action at the apex, output pixels. */
  amplitude: number
  /** Where the face moves: centres, directions and ±2σ boxes in output pixels. */
  regions: ActionRegion[]
  /** The subject's landmarks in output pixels (neutral pose). */
  landmarks: Landmarks
  headMotion: boolean
  /** `.flo` file (relative path) holding the onset→apex displacement of every pixel. */
  apexFlow: string
  /** Largest displacement magnitude in that field, pixels. */
  maxFlow: number
}

export interface SubjectTruth {
  subject: string
  /** The real face this subject is drawn from: a photo name, `photo.jpg#2` for a group photo's second face. */
  identity: string
  rollDegrees: number
  noiseSigma: number
}

export interface GroundTruth {
  generator: 'me-studio-synth'
  version: 1
  seed: number
  format: SynthFormat
  width: number
  height: number
  fps: number
  /** Where the subjects' faces come from: the bundled photo names, or `<folder>/` for `--faces` (see PROVENANCE.md). */
  sourceFace: string
  labelFile: string
  subjects: SubjectTruth[]
  samples: SampleTruth[]
}

export const SYNTH_DEFAULTS = {
  subjects: 3,
  samplesPerSubject: 3,
  seed: 1,
  format: 'casme2' as SynthFormat,
  width: 256,
  height: 256,
  fps: 200,
  durationSeconds: [0.3, 0.5] as [number, number],
}

/** Defaults of `synth --format long` (kept beside the other defaults: `synth --help` reads them without loading the generator). */
export const LONG_SYNTH_DEFAULTS = {
  subjects: 2,
  videosPerSubject: 2,
  seed: 1,
  width: 640,
  height: 480,
  fps: 30,
  durationSeconds: [20, 120] as [number, number],
}
