/** Options, defaults and presets of TV-L1 (`tvl1.ts`). */
import type { FlowRecipe } from '@shared/domain/model-card'
import type { FlowField } from './image'

export interface Tvl1Options {
  /** Time step τ of the dual update (Chambolle's projection, IPOL eq. 19); τ ≤ 1/8 guarantees convergence, 0.25 works in practice (OpenCV, IPOL). */
  tau: number
  /** Weight λ of the L1 data term; smaller gives smoother flow. */
  lambda: number
  /** Coupling θ between the primal flow u and the auxiliary v (IPOL eq. 10). */
  theta: number
  /** Number of pyramid scales (capped so the coarsest side stays ≥ 16 px, as in OpenCV). */
  nscales: number
  /** Warpings of I1 towards I0 per scale (IPOL §2.3). */
  warps: number
  /** Stop when the mean squared flow update of one iteration is ≤ ε² (IPOL eq. 26). */
  epsilon: number
  /** Primal–dual iterations between two median filterings. */
  innerIterations: number
  /** Median filterings (outer iterations) per warping. */
  outerIterations: number
  /** Downscaling factor between pyramid scales (IPOL's zoom factor η). */
  scaleStep: number
  /** Weight of the illumination-change term (Chambolle–Pock 2011, OpenCV's `gamma`); 0 disables it. */
  gamma: number
  /** Side of the square median filter applied to the flow before every outer iteration; ≤ 1 disables it. */
  medianFiltering: number
  /** σ of a Gaussian applied to both frames before the pyramid (IPOL: 0.8); 0 for none (OpenCV). */
  presmoothingSigma: number
  /** Gaussian anti-aliasing before each downscaling, σ = 0.6·√(1/η² − 1) (IPOL's zoom-out); false in OpenCV. */
  pyramidSmoothing: boolean
  /** Interpolation used when warping I1 and its gradient: bicubic (Catmull–Rom, as IPOL; OpenCV uses Keys a = −0.75) or bilinear. */
  interpolation: 'bicubic' | 'bilinear'
  /**
   * Kernels: `wasm` (WebAssembly SIMD, 4 pixels per instruction) or `js` (plain TypeScript, the
   * readable reference). The JS kernels also serve γ ≠ 0 and median filters larger than 5.
   */
  implementation: 'wasm' | 'js'
  /**
   * Reproduce OpenCV's numerics where they differ from the exact computation: pyramid levels
   * resized with the nominal `scaleStep` (cv::resize with fx = fy = scaleStep, whereas the exact
   * mode maps with the rounded size ratio), and I1 and its gradient warped as cv::remap with
   * INTER_CUBIC does — coordinates rounded to 1/32 px, Keys a = −0.75 weights in float, zero
   * outside the image (BORDER_CONSTANT). Model inputs use it, so they match what the models were
   * trained on (models/preprocess.py); on small inputs (STSTNet's 28×28, flows of a few hundredths
   * of a pixel) these details are as large as the flow itself.
   */
  opencvNumerics: boolean
  /** Flow to start from at the finest scale (downscaled to the coarser ones); zero when absent. */
  initialFlow?: FlowField
  /** Called after every warping with the count done and the total, for job progress. */
  onProgress?: (done: number, total: number) => void
}

/** Defaults of OpenCV's `cv::optflow::DualTVL1OpticalFlow::create()`. */
export const TVL1_DEFAULTS: Readonly<Tvl1Options> = Object.freeze({
  tau: 0.25,
  lambda: 0.15,
  theta: 0.3,
  nscales: 5,
  warps: 5,
  epsilon: 0.01,
  innerIterations: 30,
  outerIterations: 10,
  scaleStep: 0.8,
  gamma: 0,
  medianFiltering: 5,
  presmoothingSigma: 0,
  pyramidSmoothing: false,
  interpolation: 'bicubic' as const,
  implementation: 'wasm' as const,
  opencvNumerics: false,
})

/**
 * The parameters of the IPOL reference implementation (Sánchez et al. 2013): zoom factor 0.5
 * down to the coarsest 16-px scale, up to 300 iterations per warping, presmoothing σ 0.8, no
 * median filtering.
 */
export const TVL1_IPOL_PRESET: Readonly<Partial<Tvl1Options>> = Object.freeze({
  scaleStep: 0.5,
  nscales: 100,
  warps: 5,
  innerIterations: 300,
  outerIterations: 1,
  medianFiltering: 0,
  presmoothingSigma: 0.8,
  pyramidSmoothing: true,
})

/**
 * What `me-studio flow` runs: OpenCV's defaults, plus IPOL's presmoothing (σ 0.8) and scales down
 * to the coarsest 16-px side. On real photos the presmoothing removes the aliasing the
 * linearisation trips on (with OpenCV's defaults alone, some 112² pairs came out less accurate
 * than OpenCV's: 0.098 vs 0.094 px), and the extra coarse scales — cheap, a few hundred pixels
 * each — carry displacements of 10 px that 5 scales of 0.8 cannot (EPE 1.5 px → 0.03 px at 112²).
 * bench/tvl1.bench.ts measures it on held-out pairs; model inputs keep `TVL1_DEFAULTS` with
 * `opencvNumerics`.
 */
export const TVL1_FLOW_PRESET: Readonly<Partial<Tvl1Options>> = Object.freeze({
  nscales: 100,
  presmoothingSigma: 0.8,
})

/**
 * A model card's TV-L1 parameters with OpenCV's DualTVL1OpticalFlow defaults (the bundled onset–apex
 * cards' own): the card form's draft and the vision workers' warm-up. Here, not with the card schema,
 * so that a vision worker does not build the zod schemas to read it.
 */
export const TVL1_OPENCV_PARAMS: Readonly<Extract<FlowRecipe, { method: 'tvl1' }>['params']> = Object.freeze({
  tau: 0.25, lambda: 0.15, theta: 0.3, nscales: 5, warps: 5, epsilon: 0.01, innerIterations: 30,
  outerIterations: 10, scaleStep: 0.8, gamma: 0, medianFiltering: 5, useInitialFlow: false,
})
