import { describe, expect, it } from 'vitest'
import { MediaService } from '../../../src/main/services/media'
import type { DecodedFrame } from '../../../src/main/services/media/frame'
import { synthFixture } from '../../helpers/synth-fixture'

/** `MediaService.streamGray`: whole clips in order through one ffmpeg process, for long-video analysis. */
async function collect(stream: AsyncGenerator<DecodedFrame>): Promise<DecodedFrame[]> {
  const frames: DecodedFrame[] = []
  for await (const frame of stream) frames.push(frame)
  return frames
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length

describe('MediaService.streamGray', () => {
  it('gives every frame of a frame folder and of a video in order, as random access does', async () => {
    for (const format of ['casme2', 'video'] as const) {
      const ds = await synthFixture({ format })
      const path = ds.clipPath(ds.truth.samples[0]!)
      const media = new MediaService()
      const info = await media.open(path)
      const streamed = await collect(media.streamGray(path))
      expect(streamed).toHaveLength(info.frameCount)
      const read = await media.readFrames(path, 0, info.frameCount, 'gray')
      // Same frames; libvips and ffmpeg's JPEG decoders differ by rounding only.
      streamed.forEach((frame, i) => {
        expect([frame.width, frame.height, frame.channels]).toEqual([info.width, info.height, 1])
        expect(meanAbsDiff(frame.data, read[i]!.data)).toBeLessThan(1.5)
      })
    }
  }, 60_000)

  it('shrinks while decoding', async () => {
    const ds = await synthFixture({ format: 'casme2' })
    const path = ds.clipPath(ds.truth.samples[0]!)
    const frames = await collect(new MediaService().streamGray(path, { shrink: 2 }))
    expect([frames[0]!.width, frames[0]!.height]).toEqual([64, 64])
  })

  it('stops when cancelled', async () => {
    const ds = await synthFixture({ format: 'video' })
    const controller = new AbortController()
    const stream = new MediaService().streamGray(ds.clipPath(ds.truth.samples[0]!), { signal: controller.signal })
    await stream.next()
    controller.abort()
    await expect(collect(stream)).rejects.toThrow(/cancelled/)
  })
})
