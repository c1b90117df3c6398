/** Pixel layout a caller asks for: one luma channel, or interleaved RGB. */
export type FrameMode = 'gray' | 'rgb'

/** A decoded frame: 8-bit, row-major, `channels` interleaved samples per pixel. */
export interface DecodedFrame {
  width: number
  height: number
  channels: 1 | 3
  data: Uint8Array
}

export function channelsOf(mode: FrameMode): 1 | 3 {
  return mode === 'gray' ? 1 : 3
}

/** ITU-R BT.601 luma, the weights ffmpeg and libvips use for grey. */
export function rgbToGray(frame: DecodedFrame): DecodedFrame {
  if (frame.channels === 1) return frame
  const n = frame.width * frame.height
  const gray = new Uint8Array(n)
  const rgb = frame.data
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    gray[i] = Math.round(0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!)
  }
  return { width: frame.width, height: frame.height, channels: 1, data: gray }
}

export function grayToRgb(frame: DecodedFrame): DecodedFrame {
  if (frame.channels === 3) return frame
  const n = frame.width * frame.height
  const rgb = new Uint8Array(n * 3)
  for (let i = 0, j = 0; i < n; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = frame.data[i]!
  return { width: frame.width, height: frame.height, channels: 3, data: rgb }
}

export function toMode(frame: DecodedFrame, mode: FrameMode): DecodedFrame {
  return mode === 'gray' ? rgbToGray(frame) : grayToRgb(frame)
}
