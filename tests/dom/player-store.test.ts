import { afterEach, describe, expect, it, vi } from 'vitest'
import { usePlayerStore, type PlayerClip } from '../../src/renderer/src/stores/player'
import { fakeTransport, installFake } from './helpers/fake-transport'

/** A CASME II-like clip whose numbering starts at 46 and skips a dropped frame (49). */
const clip: PlayerClip = {
  sampleId: 1,
  fps: 200,
  width: 4,
  height: 4,
  frameNumbers: [46, 47, 48, 50, 51, 52],
  frameUrl: (i) => `/frame/${i}`,
  thumbUrl: (i) => `/thumb/${i}`,
}

function setup() {
  installFake(fakeTransport({}).transport)
  const player = usePlayerStore()
  const decoded: number[] = []
  player.configure({
    decoder: async (url) => {
      decoded.push(Number(url.split('/').pop()))
      return { width: 4, height: 4, close: () => undefined } as ImageBitmap
    },
    cache: { maxBytes: 1e6, concurrency: 2, ahead: 2, behind: 1 },
  })
  player.open(clip)
  return { player, decoded }
}

describe('player store', () => {
  it('keeps an integer index and shows the dataset frame number and its time from the fps', () => {
    const { player } = setup()
    expect(player.frameNumber).toBe(46)
    player.step(3)
    expect(player.index).toBe(3)
    expect(player.frameNumber).toBe(50)
    // 50 − 46 = 4 frame periods at 200 fps, the dropped frame included.
    expect(player.timeMs).toBe(20)
  })

  it('clamps steps to the clip and seeks by dataset frame number', () => {
    const { player } = setup()
    player.step(-10)
    expect(player.index).toBe(0)
    player.step(100)
    expect(player.index).toBe(5)
    expect(player.seekFrameNumber(47)).toBe(true)
    expect(player.index).toBe(1)
    expect(player.seekFrameNumber(49)).toBe(false)
    expect(player.index).toBe(1)
    expect(player.indexOfFrame(52)).toBe(5)
  })

  it('decodes the frame at the playhead first, then prefetches in the direction of travel', async () => {
    const { player, decoded } = setup()
    player.step(3)
    player.step(-1)
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(player.direction).toBe(-1)
    // 0 on open, 3 and 2 as the playhead reached them, then 2's window going backwards (3 and 0 are decoded).
    expect(decoded).toEqual([0, 3, 2, 1])
  })

  it('steps through the speeds 0.05× … 1× and loops only proper ranges', () => {
    const { player } = setup()
    player.setSpeed(0.05)
    player.changeSpeed(-1)
    expect(player.speed).toBe(0.05)
    player.changeSpeed(1)
    player.changeSpeed(1)
    expect(player.speed).toBe(0.25)
    player.setLoop({ from: 1, to: 4 })
    expect(player.loopRange).toEqual({ from: 1, to: 4 })
    player.setLoop({ from: 3, to: 3 })
    expect(player.loopRange).toBeNull()
  })

  describe('playback', () => {
    afterEach(() => vi.unstubAllGlobals())

    /** Drives requestAnimationFrame by hand: `frame(ms)` runs the pending callback at that time. */
    function manualClock() {
      let pending: FrameRequestCallback | null = null
      let now = 1000
      vi.stubGlobal('performance', { now: () => now })
      vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => ((pending = cb), 1))
      vi.stubGlobal('cancelAnimationFrame', () => (pending = null))
      return {
        frame(ms: number) {
          now = ms
          const cb = pending
          pending = null
          cb?.(ms)
        },
      }
    }

    it('advances by elapsed time × fps × speed, one integer frame at a time, and stops at the end', () => {
      const clock = manualClock()
      const { player } = setup()
      player.setSpeed(0.05) // 200 fps × 0.05 = 10 frames/s: one frame per 100 ms
      player.play()
      clock.frame(1099)
      expect(player.index).toBe(0)
      clock.frame(1100)
      expect(player.index).toBe(1)
      clock.frame(1350)
      expect(player.index).toBe(3)
      clock.frame(2000)
      expect(player.index).toBe(5)
      expect(player.playing).toBe(false)
    })

    it('wraps inside the loop range', () => {
      const clock = manualClock()
      const { player } = setup()
      player.setSpeed(0.05)
      player.setLoop({ from: 1, to: 3 })
      player.play()
      expect(player.index).toBe(1)
      clock.frame(1200)
      expect(player.index).toBe(3)
      clock.frame(1300)
      expect(player.index).toBe(1)
      player.pause()
      clock.frame(1400)
      expect(player.index).toBe(1)
    })
  })
})

