/**
 * Perceptual colormaps for heatmaps (flow magnitude, strain, attention), shared by the PNGs the
 * main side renders and the colorbars the renderer draws, so both always agree.
 * Control points are sampled from matplotlib's viridis/inferno and Google's turbo; values between
 * points are linearly interpolated.
 */
export const COLORMAP_NAMES = ['viridis', 'inferno', 'turbo', 'gray'] as const
export type ColormapName = (typeof COLORMAP_NAMES)[number]

type Rgb = readonly [number, number, number]

const CONTROL_POINTS: Record<ColormapName, readonly Rgb[]> = {
  viridis: [
    [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
    [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
  ],
  inferno: [
    [0, 0, 4], [27, 12, 65], [74, 12, 107], [120, 28, 109], [165, 44, 96],
    [207, 68, 70], [237, 105, 37], [251, 155, 6], [247, 209, 61], [252, 255, 164],
  ],
  turbo: [
    [48, 18, 59], [70, 107, 227], [40, 187, 236], [50, 242, 152], [164, 252, 60],
    [237, 208, 58], [251, 128, 34], [218, 56, 7], [122, 4, 3],
  ],
  gray: [
    [0, 0, 0], [255, 255, 255],
  ],
}

/** 256-entry RGB lookup table (768 bytes) for a colormap. */
export function colormapLut(name: ColormapName): Uint8Array {
  const points = CONTROL_POINTS[name]
  const lut = new Uint8Array(256 * 3)
  const segments = points.length - 1
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments
    const k = Math.min(segments - 1, Math.floor(t))
    const f = t - k
    const a = points[k]!
    const b = points[k + 1]!
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(a[c]! + (b[c]! - a[c]!) * f)
  }
  return lut
}

export interface HeatmapRange {
  min: number
  max: number
}

/**
 * Maps scalar values to RGBA through a colormap. Values are scaled linearly from `range`
 * (default: the data's finite min/max); non-finite values become transparent.
 */
export function applyColormap(values: ArrayLike<number>, name: ColormapName, range?: HeatmapRange, alpha = 255): Uint8ClampedArray {
  const lut = colormapLut(name)
  const { min, max } = range ?? finiteRange(values)
  const span = max > min ? max - min : 1
  const out = new Uint8ClampedArray(values.length * 4)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isFinite(v)) continue
    const k = Math.max(0, Math.min(255, Math.round(((v - min) / span) * 255))) * 3
    out[i * 4] = lut[k]!
    out[i * 4 + 1] = lut[k + 1]!
    out[i * 4 + 2] = lut[k + 2]!
    out[i * 4 + 3] = alpha
  }
  return out
}

export function finiteRange(values: ArrayLike<number>): HeatmapRange {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (!Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  return min <= max ? { min, max } : { min: 0, max: 0 }
}
