/**
 * Seeded pseudo-random numbers for the synthetic generator: the same seed gives the same
 * dataset on every machine, so tests can pin byte-identical outputs.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number
  /** Standard normal N(0, 1). */
  gaussian(): number
  /** Zero mean, unit variance, bell-shaped (sum of four random bytes): one draw, for sensor noise. */
  approximateGaussian(): number
  /** Adds `sigma` × approximateGaussian() to every element, in order (a tight loop for whole frames). */
  addApproximateGaussian(target: Float32Array, sigma: number): void
  /** A fresh 32-bit seed for an independent stream. */
  fork(): Random
}

const APPROXIMATE_GAUSSIAN_SCALE = 1 / Math.sqrt((4 * (256 * 256 - 1)) / 12)

/** mulberry32 (Tommy Ettinger, public domain): tiny, fast, good enough for test assets. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0
  let spareGaussian: number | null = null
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const next = (): number => nextUint32() / 4294967296
  const random: Random = {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    gaussian: () => {
      if (spareGaussian !== null) {
        const value = spareGaussian
        spareGaussian = null
        return value
      }
      // Box–Muller, keeping the second variate for the next call.
      const u = 1 - next()
      const v = next()
      const radius = Math.sqrt(-2 * Math.log(u))
      spareGaussian = radius * Math.sin(2 * Math.PI * v)
      return radius * Math.cos(2 * Math.PI * v)
    },
    approximateGaussian: () => {
      const bits = nextUint32()
      const sum = (bits & 0xff) + ((bits >>> 8) & 0xff) + ((bits >>> 16) & 0xff) + (bits >>> 24)
      // Four uniform bytes: mean 510, variance 4·(256² − 1)/12.
      return (sum - 510) * APPROXIMATE_GAUSSIAN_SCALE
    },
    addApproximateGaussian: (target, sigma) => {
      const scale = sigma * APPROXIMATE_GAUSSIAN_SCALE
      for (let i = 0; i < target.length; i++) {
        const bits = nextUint32()
        target[i]! += ((bits & 0xff) + ((bits >>> 8) & 0xff) + ((bits >>> 16) & 0xff) + (bits >>> 24) - 510) * scale
      }
    },
    fork: () => createRandom(Math.floor(next() * 4294967296)),
  }
  return random
}
