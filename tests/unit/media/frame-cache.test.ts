import { describe, expect, it } from 'vitest'
import { FrameCache } from '../../../src/main/services/media/frame-cache'
import type { DecodedFrame } from '../../../src/main/services/media/frame'

const frame = (bytes: number): DecodedFrame => ({ width: bytes, height: 1, channels: 1, data: new Uint8Array(bytes) })

describe('FrameCache', () => {
  it('keeps at most maxBytes of pixels, evicting the least recently used frame first', () => {
    const cache = new FrameCache(300)
    cache.set('a', frame(100))
    cache.set('b', frame(100))
    cache.set('c', frame(100))
    expect(cache.get('a')).toBeDefined() // a is now the most recent: b goes next
    cache.set('d', frame(100))
    expect(cache.get('b')).toBeUndefined()
    expect(['a', 'c', 'd'].every((k) => cache.get(k) !== undefined)).toBe(true)
    expect(cache.stats()).toMatchObject({ bytes: 300, maxBytes: 300, entries: 3, hits: 4, misses: 1 })
  })

  it('refuses a frame larger than the whole cache without evicting, and replaces a key in place', () => {
    const cache = new FrameCache(300)
    cache.set('a', frame(200))
    cache.set('huge', frame(301))
    expect(cache.get('huge')).toBeUndefined()
    expect(cache.get('a')).toBeDefined()
    cache.set('a', frame(50))
    expect(cache.stats()).toMatchObject({ bytes: 50, entries: 1 })
  })

  it("drops one clip's frames by key prefix", () => {
    const cache = new FrameCache(1000)
    for (const key of ['clip1|gray|0', 'clip1|gray|1', 'clip2|gray|0']) cache.set(key, frame(10))
    cache.deletePrefix('clip1|')
    expect(cache.stats()).toMatchObject({ bytes: 10, entries: 1 })
    expect(cache.get('clip2|gray|0')).toBeDefined()
  })
})
