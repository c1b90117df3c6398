/** Analytic test signals for the vision tests and benchmarks (known sub-pixel motion). */
import type { GrayImage } from '../../src/main/vision/image'

/**
 * Clip of a vertical cosine grating I = 128 + 60·cos(2π(x − δ(t))/λ) (exact sub-pixel
 * translation by δ(t) pixels along x).
 */
export function gratingClip(width: number, height: number, wavelength: number, frames: number, delta: (t: number) => number): GrayImage[] {
  const k = (2 * Math.PI) / wavelength
  return Array.from({ length: frames }, (_, t) => {
    const d = delta(t)
    const data = new Float32Array(width * height)
    for (let x = 0; x < width; x++) {
      const v = 128 + 60 * Math.cos(k * (x - d))
      for (let y = 0; y < height; y++) data[y * width + x] = v
    }
    return { width, height, data }
  })
}

/**
 * Translation of `b` relative to `a` along x, from the phase of the grating's fundamental over the
 * central columns (a whole number of periods, away from the borders): δ = Δφ/k.
 */
export function gratingShift(a: GrayImage, b: GrayImage, wavelength: number): number {
  return (gratingPhase(b, wavelength) - gratingPhase(a, wavelength)) / ((2 * Math.PI) / wavelength)
}

function gratingPhase(img: GrayImage, wavelength: number): number {
  const { width, height, data } = img
  const k = (2 * Math.PI) / wavelength
  const periods = Math.max(1, Math.floor((width - wavelength) / wavelength))
  const x0 = Math.floor((width - periods * wavelength) / 2)
  let c = 0
  let s = 0
  for (let y = Math.floor(height / 4); y < Math.ceil((3 * height) / 4); y++) {
    for (let x = x0; x < x0 + periods * wavelength; x++) {
      const v = data[y * width + x]!
      c += v * Math.cos(k * x)
      s += v * Math.sin(k * x)
    }
  }
  return Math.atan2(s, c)
}
