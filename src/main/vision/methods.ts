/**
 * One table per algorithm family: flow methods, magnification methods, spotting signals.
 *
 * The names, with one line of description each, are the contract's
 * (`@shared/ipc/channels/motion-params`: the renderer, the zod schemas and the CLI help list them);
 * what each name runs, with which options, lives only here. The vision worker's tasks,
 * the motion service, the CLI, spotting and the model-card recipes all look methods up in these
 * tables. A new flow method: its implementation (a `vision/` module), its name and description
 * in `FLOW_METHOD_INFO` and its entry below.
 */
import type { FlowMethod, MagnifyMethod, SpotSignalName } from '@shared/ipc/channels/motion-params'
import type { FlowRecipe } from '@shared/domain/model-card'
import type { RgbImage } from './color'
import { farnebackFlow, type FarnebackOptions } from './farneback'
import type { FlowField, GrayImage } from './image'
import { lucasKanadeFlow, type LucasKanadeOptions } from './lucas-kanade'
import { magnifyEulerianRgb, type TemporalFilter } from './magnify-eulerian'
import { magnifyRieszRgb } from './magnify-riesz'
import type { SpotOptions } from './spotting'
import { TVL1_FLOW_PRESET, tvl1Flow, type Tvl1Options } from './tvl1'

type Progress = (done: number, total: number) => void

export interface FlowMethodEntry<O> {
  /** Options the studio's flow views (app and `me-studio flow`) run the method with; the vision module documents each default. */
  studio: Readonly<Partial<O>>
  compute(i0: GrayImage, i1: GrayImage, options: Partial<O>, onProgress?: Progress): FlowField
  /** A model card's flow recipe → this method's options (what the card's reference code computes). */
  fromCard(recipe: FlowRecipe): Partial<O>
}

type AnyFlowMethodEntry = FlowMethodEntry<Record<string, unknown>>
/** Types an entry against its vision module's options; the table itself holds them option-agnostic. */
const flowMethod = <O>(entry: FlowMethodEntry<O>): AnyFlowMethodEntry => entry as unknown as AnyFlowMethodEntry

export const flowMethods = {
  tvl1: flowMethod<Omit<Tvl1Options, 'onProgress'>>({
    studio: TVL1_FLOW_PRESET,
    compute: (i0, i1, options, onProgress) => tvl1Flow(i0, i1, onProgress ? { ...options, onProgress } : options),
    fromCard: (recipe) => {
      if (recipe.method !== 'tvl1') throw new Error(`not a tvl1 recipe: ${recipe.method}`)
      // useInitialFlow only matters for a caller-supplied start; the recipe never supplies one.
      // opencvNumerics: the card's flow is OpenCV's DualTVL1 (preprocess.tvl1_flow), numerics included.
      const { useInitialFlow: _unused, ...rest } = recipe.params
      return { ...rest, opencvNumerics: true }
    },
  }),
  farneback: flowMethod<FarnebackOptions>({
    studio: {},
    compute: (i0, i1, options) => farnebackFlow(i0, i1, options),
    fromCard: (recipe) => recipe.params as Partial<FarnebackOptions>,
  }),
  lk: flowMethod<LucasKanadeOptions>({
    studio: {},
    compute: (i0, i1, options) => lucasKanadeFlow(i0, i1, options),
    fromCard: (recipe) => {
      if (recipe.method !== 'lk') throw new Error(`not an lk recipe: ${recipe.method}`)
      // preprocess.lk_flow is single-scale: one level, one Gauss–Newton step from zero flow. Its
      // diagonal regularisation has no counterpart in the vision module (which skips
      // ill-conditioned pixels instead): a known deviation, measured by the parity test.
      return { windowSize: recipe.params.window, levels: 1, iterations: 1 }
    },
  }),
} satisfies Record<FlowMethod, AnyFlowMethodEntry>

/** A two-frame flow with the given options (no defaults merged: `studio` or `fromCard` choose them). */
export function computeFlow(method: FlowMethod, i0: GrayImage, i1: GrayImage, options: Record<string, unknown> = {}, onProgress?: Progress): FlowField {
  const entry = flowMethods[method] as AnyFlowMethodEntry | undefined
  if (!entry) throw new Error(`Unknown flow method: ${String(method)}`)
  return entry.compute(i0, i1, options, onProgress)
}

/** The options of every magnification method; each method reads the ones it has. */
export interface MagnifyOptions {
  alpha: number
  levels: number
  filter: TemporalFilter
  /** Eulerian only: cut-off wavelength λc (px). */
  lambdaC: number
  /** Eulerian only: chrominance attenuation. */
  chromaAttenuation: number
}

export interface MagnifyMethodEntry {
  magnify(frames: RgbImage[], options: MagnifyOptions): RgbImage[]
}

export const magnifyMethods = {
  eulerian: {
    magnify: (frames, { alpha, levels, filter, lambdaC, chromaAttenuation }) => magnifyEulerianRgb(frames, { alpha, levels, filter, lambdaC, chromaAttenuation }),
  },
  riesz: {
    magnify: (frames, { alpha, levels, filter }) => magnifyRieszRgb(frames, { alpha, levels, filter }),
  },
} satisfies Record<MagnifyMethod, MagnifyMethodEntry>

export interface SpotSignalEntry {
  /** The curve `spotApex` measures. */
  signal: NonNullable<SpotOptions['signal']>
  /** The flow behind a flow or strain curve (run with the vision module's own defaults). */
  flow?: FlowMethod
}

export const spotSignals = {
  farneback: { signal: 'flow', flow: 'farneback' },
  difference: { signal: 'difference' },
  translation: { signal: 'translation' },
  tvl1: { signal: 'flow', flow: 'tvl1' },
  strain: { signal: 'strain', flow: 'tvl1' },
} satisfies Record<SpotSignalName, SpotSignalEntry>
