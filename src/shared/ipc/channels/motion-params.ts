/**
 * The motion requests' methods and numeric parameters — description, default, limits — written
 * once. The zod schemas in `motion.ts` are built from these tables (`.describe()`, `.default()`,
 * bounds), the CLI's `--help` prints them, and the renderer's forms take their defaults and input
 * limits from them. Plain data without zod: `me-studio --help` loads no package at all.
 */

export interface NumberParam {
  /** One line: the schema's `.describe()` and the CLI help. */
  describe: string
  default: number
  min?: number
  /** Exclusive lower bound. */
  gt?: number
  max?: number
  int?: boolean
}

/** Flow methods (implementations: `src/main/vision/methods.ts`) with one line for help texts. */
export const FLOW_METHOD_INFO = {
  tvl1: 'TV-L1 (OpenCV DualTVL1 defaults, frames presmoothed with σ 0.8 and scales down to 16 px: more accurate than OpenCV on real photos and displacements up to 10 px)',
  farneback: 'Farnebäck (fast preview)',
  lk: 'pyramidal Lucas–Kanade (dense; fastest, least accurate)',
} as const
export type FlowMethod = keyof typeof FLOW_METHOD_INFO
export const FLOW_METHODS = Object.keys(FLOW_METHOD_INFO) as [FlowMethod, ...FlowMethod[]]

export const MAGNIFY_METHOD_INFO = {
  eulerian: 'linear Eulerian (Wu et al. 2012)',
  riesz: 'phase-based Riesz (Wadhwa et al. 2014)',
} as const
export type MagnifyMethod = keyof typeof MAGNIFY_METHOD_INFO
export const MAGNIFY_METHODS = Object.keys(MAGNIFY_METHOD_INFO) as [MagnifyMethod, ...MagnifyMethod[]]

export const SPOT_SIGNAL_INFO = {
  farneback: 'Farnebäck flow (opencv-wasm flow, apex MAE 1.1 frames on generated clips)',
  difference: 'frame difference with head translation removed, no flow',
  translation: "per-region least-squares translation minus the nose patch's",
  tvl1: 'TV-L1 flow, slow',
  strain: 'TV-L1 optical strain',
} as const
export type SpotSignalName = keyof typeof SPOT_SIGNAL_INFO
export const SPOT_SIGNAL_NAMES = Object.keys(SPOT_SIGNAL_INFO) as [SpotSignalName, ...SpotSignalName[]]

export const FLOW_PARAMS = {
  maxSide: { describe: 'longest side the frames are scaled to before the flow (null: native size)', default: 320, min: 16, max: 4096, int: true },
} as const satisfies Record<string, NumberParam>

/** Longest clip section magnified at once: the pyramid of every frame is held in memory. */
export const MAX_MAGNIFY_FRAMES = 400

export const MAGNIFY_PARAMS = {
  alpha: { describe: 'amplification α (MER papers use 10–20)', default: 10, min: 0, max: 100 },
  levels: { describe: 'pyramid levels incl. the residual', default: 6, min: 1, max: 16, int: true },
  lambdaC: { describe: 'Eulerian cut-off wavelength λc (px)', default: 16, gt: 0 },
  chromaAttenuation: { describe: 'Eulerian chrominance attenuation', default: 0.1, min: 0, max: 1 },
  r1: { describe: 'IIR band-pass weight r₁', default: 0.4, gt: 0, max: 1 },
  r2: { describe: 'IIR band-pass weight r₂', default: 0.05, gt: 0, max: 1 },
} as const satisfies Record<string, NumberParam>

export const SPOT_PARAMS = {
  side: { describe: 'side of the face crop the signal is measured on (px)', default: 128, min: 16, max: 1024, int: true },
  temporalSigma: { describe: 'temporal smoothing σ in frames', default: 1.5, min: 0, max: 50 },
} as const satisfies Record<string, NumberParam>

/** `default 10; 0 ≤ x ≤ 100`: the default and limits of a parameter as help texts show them. */
export function paramRange(p: NumberParam): string {
  const low = p.min !== undefined ? `${p.min} ≤ ` : p.gt !== undefined ? `${p.gt} < ` : ''
  const high = p.max !== undefined ? ` ≤ ${p.max}` : ''
  return `default ${p.default}${low || high ? `; ${low}x${high}` : ''}`
}
