/**
 * The maths behind the prediction panel and the attention overlay: softmax of class scores,
 * reducing an attention tensor to the 2-D map or 1-D weights a card's `display.aggregation`
 * asks for, bilinear resizing to the model input, and the share of attention mass inside AU
 * regions. Pure functions on typed arrays; the main process (PNG heatmaps) and the renderer
 * (interactive overlay) share them so both show the same numbers.
 */
import { finiteRange } from '../colormaps'

/** A dense row-major tensor without its batch axis (batch 1 is dropped by the caller). */
export interface DenseTensor {
  data: Float32Array
  shape: number[]
}

/** A 2-D map, row-major. */
export interface Map2D {
  width: number
  height: number
  data: Float32Array
}

/** Numerically stable softmax (subtracts the maximum first). */
export function softmax(scores: ArrayLike<number>): number[] {
  const values = Array.from(scores)
  if (values.length === 0) return []
  const max = Math.max(...values)
  const exps = values.map((v) => Math.exp(v - max))
  const sum = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / sum)
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

/** Drops a leading batch axis of size 1: [1, ...rest] → [...rest]. */
export function dropBatch(data: Float32Array, shape: readonly number[]): DenseTensor {
  if (shape[0] !== 1) throw new RangeError(`expected batch 1, got shape [${shape.join(', ')}]`)
  return { data, shape: shape.slice(1) }
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** The last two axes are (y, x): the map at `index` over the leading axes (row-major). */
export function sliceMap(tensor: DenseTensor, leadingIndex: number): Map2D {
  const { shape } = tensor
  if (shape.length < 2) throw new RangeError(`a map needs ≥ 2 axes, got [${shape.join(', ')}]`)
  const height = shape[shape.length - 2]!
  const width = shape[shape.length - 1]!
  const maps = count(shape.slice(0, -2))
  if (!Number.isInteger(leadingIndex) || leadingIndex < 0 || leadingIndex >= maps) {
    throw new RangeError(`map ${leadingIndex} outside 0…${maps - 1}`)
  }
  const size = width * height
  return { width, height, data: tensor.data.slice(leadingIndex * size, (leadingIndex + 1) * size) }
}

/** Number of 2-D maps stacked in the leading axes of `tensor`. */
export function mapCount(tensor: DenseTensor): number {
  return count(tensor.shape.slice(0, -2))
}

/** Element-wise reduction over all leading axes (every stacked map) to one map. */
export function reduceMaps(tensor: DenseTensor, how: 'max' | 'mean'): Map2D {
  const n = mapCount(tensor)
  const first = sliceMap(tensor, 0)
  const out = new Float32Array(first.data)
  const size = out.length
  for (let m = 1; m < n; m++) {
    const offset = m * size
    for (let i = 0; i < size; i++) {
      const v = tensor.data[offset + i]!
      out[i] = how === 'max' ? Math.max(out[i]!, v) : out[i]! + v
    }
  }
  if (how === 'mean') for (let i = 0; i < size; i++) out[i] = out[i]! / n
  return { width: first.width, height: first.height, data: out }
}

/** The map at `step` of leading axis `axis` (0 = the first axis before y, x), averaged over every other leading axis. */
export function mapAtStep(tensor: DenseTensor, axis: number, step: number): Map2D {
  const leading = tensor.shape.slice(0, -2)
  const size = leading[axis]
  if (size === undefined || !Number.isInteger(step) || step < 0 || step >= size) {
    throw new RangeError(`step ${step} of axis ${axis} outside the leading axes [${leading.join(', ')}]`)
  }
  const stride = count(leading.slice(axis + 1))
  const mapSize = count(tensor.shape.slice(-2))
  const picked: Float32Array[] = []
  for (let flat = 0; flat < mapCount(tensor); flat++) {
    if (Math.floor(flat / stride) % size === step) picked.push(tensor.data.subarray(flat * mapSize, (flat + 1) * mapSize))
  }
  const data = new Float32Array(picked.length * mapSize)
  picked.forEach((m, i) => data.set(m, i * mapSize))
  return reduceMaps({ data, shape: [picked.length, ...tensor.shape.slice(-2)] }, 'mean')
}

export function multiplyMaps(a: Map2D, b: Map2D): Map2D {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`maps differ in size: ${a.width}×${a.height} vs ${b.width}×${b.height}`)
  }
  const data = new Float32Array(a.data.length)
  for (let i = 0; i < data.length; i++) data[i] = a.data[i]! * b.data[i]!
  return { width: a.width, height: a.height, data }
}

/**
 * The map a card's `display.aggregation` defines for the whole tensor (the "summary" view):
 * - `map`: the single map (leading axes must hold one map);
 * - `map-per-frame`: mean over frames (and any other leading axis);
 * - `max-over-heads-channels-times-spatial`: Off-TANet's figure, max over heads and channels of
 *   the self-attention, times the spatial map named by `multiplyBy` (passed as `multiplier`).
 */
export function summaryMap(
  tensor: DenseTensor,
  aggregation: 'map' | 'map-per-frame' | 'max-over-heads-channels-times-spatial',
  multiplier?: DenseTensor,
): Map2D {
  switch (aggregation) {
    case 'map':
      if (mapCount(tensor) !== 1) throw new RangeError(`aggregation "map" expects one map, got ${mapCount(tensor)}`)
      return sliceMap(tensor, 0)
    case 'map-per-frame':
      return reduceMaps(tensor, 'mean')
    case 'max-over-heads-channels-times-spatial': {
      if (!multiplier) throw new RangeError('this aggregation needs the spatial map it multiplies by')
      return multiplyMaps(reduceMaps(tensor, 'max'), summaryMap(multiplier, 'map'))
    }
  }
}

/**
 * The step of an attention map's frame axis that shows the apex, or null when the apex is not
 * among the clip frames the input was built from. A sequence recipe resamples the clip frames
 * `frameIndices` (onset…offset, n of them) to `inputFrames` frames at positions i·(n−1)/(T−1)
 * (models/preprocess.py `temporal_normalise`), so the apex, at position a among the clip frames,
 * is nearest input frame round(a·(T−1)/(n−1)); a map pooled over time (CBAMNet: 16 frames → 2
 * slices) covers T/S input frames per step. models/train.py `apex_step` is the same formula.
 */
export function apexStep(frameIndices: readonly number[], apexIndex: number, inputFrames: number, mapSteps: number): number | null {
  const position = frameIndices.indexOf(apexIndex)
  const n = frameIndices.length
  if (position < 0 || n < 2 || inputFrames < 1 || mapSteps < 1) return null
  const inputFrame = Math.round((position * (inputFrames - 1)) / (n - 1))
  return Math.min(mapSteps - 1, Math.floor((inputFrame * mapSteps) / inputFrames))
}

/** 1-D weights for bar charts: a tensor of shape [C] or [T, C] (row `row`). */
export function barWeights(tensor: DenseTensor, row = 0): Float32Array {
  const { shape, data } = tensor
  if (shape.length === 1) return data
  const width = shape[shape.length - 1]!
  const rows = count(shape.slice(0, -1))
  if (row < 0 || row >= rows) throw new RangeError(`row ${row} outside 0…${rows - 1}`)
  return data.slice(row * width, (row + 1) * width)
}

/**
 * Bilinear resize with pixel-centre alignment (source = (dst + 0.5)·scale − 0.5, clamped): how a
 * 14×14 attention map is laid over the 112×112 input the model saw, as the card's `overlay: input`
 * asks.
 */
export function resizeMapBilinear(map: Map2D, width: number, height: number): Map2D {
  const out = new Float32Array(width * height)
  const sx = map.width / width
  const sy = map.height / height
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), map.height - 1)
    const y0 = Math.floor(fy)
    const y1 = Math.min(y0 + 1, map.height - 1)
    const ty = fy - y0
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), map.width - 1)
      const x0 = Math.floor(fx)
      const x1 = Math.min(x0 + 1, map.width - 1)
      const tx = fx - x0
      const top = map.data[y0 * map.width + x0]! * (1 - tx) + map.data[y0 * map.width + x1]! * tx
      const bottom = map.data[y1 * map.width + x0]! * (1 - tx) + map.data[y1 * map.width + x1]! * tx
      out[y * width + x] = top * (1 - ty) + bottom * ty
    }
  }
  return { width, height, data: out }
}

/** A closed polygon [[x, y], …] in the coordinates of a map (pixel centres at +0.5). */
export type Polygon = [number, number][]

/** The polygon of an axis-aligned box [x0, y0, x1, y1]. */
export function boxPolygon([x0, y0, x1, y1]: [number, number, number, number]): Polygon {
  return [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
  ]
}

/** Even–odd rule. */
function insidePolygon(x: number, y: number, polygon: Polygon): boolean {
  let inside = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!
    const [xj, yj] = polygon[j]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

export interface AttentionMassReport {
  /** Share (0…1) of the map's mass inside the union of the regions. */
  inside: number
  /** Share of the map's area the regions cover: what uniform attention would score. */
  areaShare: number
  /** inside / areaShare: how many times more mass the regions hold than uniform attention gives them. */
  enrichment: number
  /** The model "looks elsewhere": less than half its mass inside, and less than twice what uniform attention would put there. */
  looksElsewhere: boolean
}

/**
 * Attention mass inside AU regions. The map is shifted to be non-negative (minus its minimum) so
 * that maps with a baseline (sigmoid outputs hover around 0.5) are judged by where they rise, and
 * a pixel counts as inside when its centre lies in any region (union, no double counting). Small
 * regions cannot hold half the mass of a smooth map, so the flag also accepts a clear
 * concentration (at least twice the uniform share).
 */
export function attentionMassInRegions(map: Map2D, regions: readonly Polygon[]): AttentionMassReport {
  const { min } = finiteRange(map.data)
  let total = 0
  let inside = 0
  let insidePixels = 0
  for (let y = 0; y < map.height; y++) {
    const cy = y + 0.5
    for (let x = 0; x < map.width; x++) {
      const cx = x + 0.5
      const v = map.data[y * map.width + x]! - min
      total += v
      if (regions.some((polygon) => insidePolygon(cx, cy, polygon))) {
        inside += v
        insidePixels++
      }
    }
  }
  const share = total > 0 ? inside / total : 0
  const areaShare = insidePixels / (map.width * map.height)
  return {
    inside: share,
    areaShare,
    enrichment: areaShare > 0 ? share / areaShare : 0,
    looksElsewhere: share < Math.min(0.5, 2 * areaShare),
  }
}
