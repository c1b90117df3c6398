/**
 * Optical strain magnitude from a flow field (Shreve et al., "Macro- and micro-expression
 * spotting in long videos using spatio-temporal strain", FG 2011; used by STSTNet and
 * Off-TANet as an input channel). Derivatives by the 3×3 Sobel operator (scaled by 1/8 so a
 * linear field gives its exact slope), borders replicated.
 */
import { sobelGradients, type FlowField, type GrayImage } from './image'

export interface OpticalStrainOptions {
  /**
   * `standard`: ε = √(u_x² + v_y² + ½(u_y + v_x)²), the Cauchy strain tensor's magnitude (Shreve 2011);
   *   also the formula printed in Off-TANet's paper (Zhang et al. 2021, eq. 4).
   * `off-tanet`: ε = √(u_x² + u_y² + ½(v_x + u_y)²), the formula of Off-TANet's released code, which its
   *   published weights were trained with; the Off-TANet card uses it so those weights run unchanged
   *   (models/fidelity.py).
   */
  variant: 'standard' | 'off-tanet'
}

export const OPTICAL_STRAIN_DEFAULTS: Readonly<OpticalStrainOptions> = Object.freeze({ variant: 'standard' as const })

/** Per-pixel optical strain magnitude of `flow`. */
export function opticalStrain(flow: FlowField, options: Partial<OpticalStrainOptions> = {}): GrayImage {
  const { variant } = { ...OPTICAL_STRAIN_DEFAULTS, ...options }
  const { width, height } = flow
  const du = sobelGradients({ width, height, data: flow.u })
  const dv = sobelGradients({ width, height, data: flow.v })
  const out = new Float32Array(width * height)
  const offTanet = variant === 'off-tanet'
  for (let i = 0; i < out.length; i++) {
    const ux = du.gx[i]!
    const uy = du.gy[i]!
    const vx = dv.gx[i]!
    const vy = dv.gy[i]!
    if (offTanet) {
      const s = vx + uy
      out[i] = Math.sqrt(ux * ux + uy * uy + 0.5 * s * s)
    } else {
      const s = uy + vx
      out[i] = Math.sqrt(ux * ux + vy * vy + 0.5 * s * s)
    }
  }
  return { width, height, data: out }
}
