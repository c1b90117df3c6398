import { describe, expect, it } from 'vitest'
import { FrameCache, type DecodedFrame } from '../../src/renderer/src/player/frame-cache'
import { amplifiedDifference } from '../../src/renderer/src/player/difference'

interface FakeFrame extends DecodedFrame {
  index: number
  closed: boolean
}

/** A decoder whose decodes resolve when the test says so, recording the order they were asked for. */
function fakeDecoder(width = 10, height = 10) {
  const requested: number[] = []
  const pending = new Map<number, () => void>()
  const decode = (index: number) =>
    new Promise<FakeFrame>((resolve) => {
      requested.push(index)
      const frame: FakeFrame = { index, width, height, closed: false, close: () => (frame.closed = true) }
      pending.set(index, () => resolve(frame))
    })
  const finish = async (index: number) => {
    pending.get(index)!()
    pending.delete(index)
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return { decode, requested, pending, finish }
}

const FRAME_BYTES = 10 * 10 * 4

describe('FrameCache', () => {
  it('decodes the playhead first, then prefetches nearest first, more ahead in the direction of travel', async () => {
    const d = fakeDecoder()
    const cache = new FrameCache<FakeFrame>(100, d.decode, { maxBytes: 1e9, concurrency: 3, ahead: 4, behind: 2 })
    cache.prefetch(50, 1)
    expect(d.requested).toEqual([50])
    await d.finish(50)
    expect(d.requested).toEqual([50, 51, 49, 52])
    const back = fakeDecoder()
    const cache2 = new FrameCache<FakeFrame>(100, back.decode, { maxBytes: 1e9, concurrency: 3, ahead: 4, behind: 2 })
    cache2.prefetch(50, -1)
    await back.finish(50)
    expect(back.requested).toEqual([50, 49, 51, 48])
  })

  it('forgets the window of a position the playhead already left', async () => {
    const d = fakeDecoder()
    const cache = new FrameCache<FakeFrame>(100, d.decode, { maxBytes: 1e9, concurrency: 2, ahead: 2, behind: 0 })
    cache.prefetch(10, 1)
    cache.prefetch(60, 1)
    await d.finish(10)
    expect(d.requested).toEqual([10, 60])
    await d.finish(60)
    expect(d.requested).toEqual([10, 60, 61, 62])
  })

  it('shares one decode between get and prefetch, and serves it synchronously once decoded', async () => {
    const d = fakeDecoder()
    const cache = new FrameCache<FakeFrame>(10, d.decode, { maxBytes: 1e9, concurrency: 2, ahead: 2, behind: 0 })
    cache.prefetch(0, 1)
    await d.finish(0)
    const got = cache.get(1)
    expect(d.requested).toEqual([0, 1, 2])
    await d.finish(1)
    expect((await got).index).toBe(1)
    expect(cache.peek(1)?.index).toBe(1)
    expect(d.requested.filter((i) => i === 1)).toHaveLength(1)
  })

  it('stays within its byte budget, evicting least recently used frames but never pinned ones', async () => {
    const d = fakeDecoder()
    const cache = new FrameCache<FakeFrame>(10, d.decode, { maxBytes: 3 * FRAME_BYTES, concurrency: 10, ahead: 0, behind: 0 })
    cache.pin([0])
    const frames: FakeFrame[] = []
    for (const i of [0, 1, 2, 3, 4]) {
      const p = cache.get(i)
      await d.finish(i)
      frames.push(await p)
    }
    expect(cache.byteSize).toBeLessThanOrEqual(3 * FRAME_BYTES)
    expect(cache.peek(0)).toBeDefined()
    expect(cache.peek(1)).toBeUndefined()
    expect(frames[1]!.closed).toBe(true)
    expect(cache.peek(4)).toBeDefined()
  })

  it('refuses indices outside the clip and closes everything on dispose', async () => {
    const d = fakeDecoder()
    const cache = new FrameCache<FakeFrame>(5, d.decode, { maxBytes: 1e9, concurrency: 1, ahead: 0, behind: 0 })
    expect(() => cache.get(5)).toThrow(/outside the clip/)
    expect(() => cache.get(-1)).toThrow(RangeError)
    const p = cache.get(2)
    await d.finish(2)
    const frame = await p
    cache.dispose()
    expect(frame.closed).toBe(true)
    expect(cache.size).toBe(0)
  })
})

describe('amplifiedDifference', () => {
  it('is |a − b| × gain per colour channel, clipped at 255, opaque', () => {
    const a = new Uint8ClampedArray([10, 200, 0, 255, 100, 100, 100, 0])
    const b = new Uint8ClampedArray([12, 190, 0, 255, 100, 0, 99, 0])
    const out = new Uint8ClampedArray(8)
    amplifiedDifference(a, b, 10, out)
    expect([...out]).toEqual([20, 100, 0, 255, 0, 255, 10, 255])
    expect(() => amplifiedDifference(a, new Uint8ClampedArray(4), 1, out)).toThrow(/same size/)
  })
})
