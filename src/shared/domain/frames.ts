/**
 * One frame numbering everywhere: views, forms and exports speak the dataset's frame numbers
 * (CASME II `img46.jpg` → 46; videos 0…n−1); decoders, flow and magnification take 0-based
 * clip indices. `frameNumbers` is a clip's ascending list of numbers, one per index.
 */

/** Index of a dataset frame number in the clip, or null when the clip has no such frame. */
export function indexOfFrameNumber(frameNumbers: readonly number[], frameNumber: number): number | null {
  let lo = 0
  let hi = frameNumbers.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const value = frameNumbers[mid]!
    if (value === frameNumber) return mid
    if (value < frameNumber) lo = mid + 1
    else hi = mid - 1
  }
  return null
}

/** Dataset frame number at a clip index (clamped to the clip), or null for an empty clip. */
export function frameNumberAt(frameNumbers: readonly number[], index: number): number | null {
  if (frameNumbers.length === 0) return null
  return frameNumbers[Math.max(0, Math.min(frameNumbers.length - 1, Math.round(index)))]!
}
