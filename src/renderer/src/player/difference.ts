/**
 * |current − reference| per channel, multiplied by `gain` and clipped to 255: a micro-movement of
 * a few grey levels becomes visible. Both images must have the same size (RGBA, as canvas
 * ImageData holds them); alpha is set opaque.
 */
export function amplifiedDifference(current: Uint8ClampedArray, reference: Uint8ClampedArray, gain: number, out: Uint8ClampedArray): void {
  if (current.length !== reference.length || out.length !== current.length) {
    throw new RangeError(`Difference needs images of the same size (${current.length} vs ${reference.length} bytes)`)
  }
  for (let i = 0; i < current.length; i += 4) {
    out[i] = Math.abs(current[i]! - reference[i]!) * gain
    out[i + 1] = Math.abs(current[i + 1]! - reference[i + 1]!) * gain
    out[i + 2] = Math.abs(current[i + 2]! - reference[i + 2]!) * gain
    out[i + 3] = 255
  }
}

/** Gains offered by the difference view's slider (×1 shows raw differences). */
export const DIFFERENCE_GAIN = { min: 1, max: 50, default: 10 } as const
