/**
 * In-place radix-2 complex FFT (iterative Cooley–Tukey) on split real/imaginary arrays, and its
 * 2-D separable form. Sizes must be powers of two; callers pad.
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0
}

export function nextPowerOfTwo(n: number): number {
  let p = 1
  while (p < n) p *= 2
  return p
}

/** Forward (sign −1) or inverse (sign +1, scaled by 1/n) FFT of `n` values at `offset` with `stride`. */
export function fft1d(re: Float64Array, im: Float64Array, n: number, offset: number, stride: number, inverse: boolean): void {
  if (!isPowerOfTwo(n)) throw new RangeError(`FFT size must be a power of two, got ${n}`)
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1
    for (; j & bit; bit >>= 1) j ^= bit
    j ^= bit
    if (i < j) {
      const a = offset + i * stride
      const b = offset + j * stride
      let t = re[a]!
      re[a] = re[b]!
      re[b] = t
      t = im[a]!
      im[a] = im[b]!
      im[b] = t
    }
  }
  const sign = inverse ? 1 : -1
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len
    const wr = Math.cos(ang)
    const wi = Math.sin(ang)
    const half = len >> 1
    for (let i = 0; i < n; i += len) {
      let cr = 1
      let ci = 0
      for (let k = 0; k < half; k++) {
        const a = offset + (i + k) * stride
        const b = offset + (i + k + half) * stride
        const xr = re[b]! * cr - im[b]! * ci
        const xi = re[b]! * ci + im[b]! * cr
        re[b] = re[a]! - xr
        im[b] = im[a]! - xi
        re[a] = re[a]! + xr
        im[a] = im[a]! + xi
        const ncr = cr * wr - ci * wi
        ci = cr * wi + ci * wr
        cr = ncr
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      const a = offset + i * stride
      re[a] = re[a]! / n
      im[a] = im[a]! / n
    }
  }
}

/** 2-D FFT of a `width × height` row-major complex array (both powers of two), in place. */
export function fft2d(re: Float64Array, im: Float64Array, width: number, height: number, inverse: boolean): void {
  for (let y = 0; y < height; y++) fft1d(re, im, width, y * width, 1, inverse)
  for (let x = 0; x < width; x++) fft1d(re, im, height, x, width, inverse)
}
