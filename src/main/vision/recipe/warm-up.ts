/**
 * One small sample through the recipe stages and TV-L1, run by a fresh vision worker while it
 * waits for its first task, so that V8 has compiled those functions before real frames arrive.
 * Cold, a worker's first STSTNet sample took ≈90 ms against 28 ms warm: the gray conversion and
 * the bicubic resizes of its 256×256 frames ran in the interpreter (≈40 ms, 1 ms warm) and TV-L1
 * in unoptimised code (≈45 ms, 25 ms warm). This 64×64 pair (flow at 32×32) costs ≈25 ms on the
 * idle worker and takes ≈23 ms off its first sample (`predict` on 20 clips: ≈18 ms sooner on
 * 2 cores). The result is discarded.
 */
import type { ModelCard } from '@shared/domain/model-card'
import { TVL1_OPENCV_PARAMS } from '../tvl1-options'
import { flowMethods } from '../methods'
import type { PixelFrame } from './opencv-exact'
import { buildRecipe } from './stages'

const SIDE = 32

/** A gray onset–apex recipe with OpenCV's TV-L1 defaults, as the bundled STSTNet and Off-TANet cards are. */
const PREPROCESSING: ModelCard['preprocessing'] = {
  frames: { selection: 'onset-apex', temporalLength: null, temporalInterpolation: null },
  crop: { method: 'as-provided', alignment: 'none', size: [8, 8], interpolation: 'bicubic', colour: 'gray', description: 'warm-up' },
  magnification: null,
  flow: {
    method: 'tvl1',
    reference: 'onset',
    params: { ...TVL1_OPENCV_PARAMS },
    computeSize: [SIDE, SIDE],
    description: 'warm-up',
  },
  strain: { variant: 'standard', derivative: 'sobel3-div8-reflect101' },
  isdf: null,
  normalisation: { method: 'per-sample-channel-standardise', epsilon: 1e-6 },
  steps: ['warm-up'],
  reference: 'warm-up',
}

/** A smooth colour pattern, shifted by `dx` pixels (a textured pair with a known small motion). */
function frame(dx: number): PixelFrame {
  const width = SIDE * 2
  const height = SIDE * 2
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = 128 + 60 * Math.sin((x - dx) / 5) * Math.cos(y / 7)
      data.fill(Math.round(v), (y * width + x) * 3, (y * width + x) * 3 + 3)
    }
  }
  return { width, height, channels: 3, data }
}

export function warmUpRecipe(): void {
  const flow = PREPROCESSING.flow!
  buildRecipe({
    frames: [frame(0), frame(1)],
    preprocessing: PREPROCESSING,
    channels: ['u', 'v', 'strain'],
    flow: { method: flow.method, options: flowMethods[flow.method].fromCard(flow), known: [null] },
  })
}
