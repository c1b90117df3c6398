import { defineStore } from 'pinia'
import { computed, markRaw, ref, shallowRef } from 'vue'
import { frameToMs } from '@shared/domain/annotation'
import { indexOfFrameNumber } from '@shared/domain/frames'
import { DEFAULT_FRAME_CACHE, FrameCache, type FrameCacheOptions } from '../player/frame-cache'
import { DIFFERENCE_GAIN } from '../player/difference'

/** What the player needs to know about a clip; frames are fetched by integer index. */
export interface PlayerClip {
  sampleId: number
  fps: number
  width: number
  height: number
  /** Dataset frame numbers, one per decoded index (CASME II `img46` → 46; videos 0…n−1). */
  frameNumbers: readonly number[]
  /** URL of the decoded frame at `index` (the media layer's frame route). */
  frameUrl: (index: number) => string
  /** URL of a small PNG of the frame at `index`, for the filmstrip. */
  thumbUrl: (index: number) => string
}

export type PlayerViewMode = 'frame' | 'compare' | 'difference'

/** Playback speeds as fractions of the source fps (a 200 fps clip at 0.05× shows 10 frames/s). */
export const PLAYBACK_SPEEDS = [0.05, 0.1, 0.25, 0.5, 1] as const

export interface FrameRange {
  from: number
  to: number
}

/**
 * Decodes a frame from the media layer's frame route into an ImageBitmap. `.raw` answers carry
 * 8-bit gray or RGB pixels with their layout in headers (no PNG encode/decode on the hot path);
 * anything else is an encoded image.
 */
export async function decodeFrameUrl(url: string, signal: AbortSignal): Promise<ImageBitmap> {
  const response = await fetch(url, { signal })
  if (!response.ok) {
    const reason = (await response.text().catch(() => '')).trim()
    throw new Error(`frame request failed (${response.status})${reason ? `: ${reason}` : ''}`)
  }
  const width = Number(response.headers.get('x-frame-width'))
  const height = Number(response.headers.get('x-frame-height'))
  const channels = Number(response.headers.get('x-frame-channels'))
  if (!width || !height || !channels) return createImageBitmap(await response.blob())
  const pixels = new Uint8Array(await response.arrayBuffer())
  return createImageBitmap(new ImageData(toRgba(pixels, width * height, channels), width, height))
}

/** Expands 1- or 3-channel pixels to the RGBA that ImageData holds. */
export function toRgba(pixels: Uint8Array, count: number, channels: number): Uint8ClampedArray<ArrayBuffer> {
  if (pixels.length !== count * channels || (channels !== 1 && channels !== 3)) {
    throw new Error(`frame has ${pixels.length} bytes, expected ${count} pixels × ${channels} channels`)
  }
  const out = new Uint8ClampedArray(count * 4)
  for (let i = 0, j = 0; i < count; i++, j += channels) {
    out[i * 4] = pixels[j]!
    out[i * 4 + 1] = pixels[j + (channels === 3 ? 1 : 0)]!
    out[i * 4 + 2] = pixels[j + (channels === 3 ? 2 : 0)]!
    out[i * 4 + 3] = 255
  }
  return out
}

/**
 * The playhead of the open clip: integer frame index (never a media time), playback at a
 * fraction of the source fps driven by requestAnimationFrame, loop range, view mode, and the
 * cache of decoded frames the FramePlayer draws from.
 */
export const usePlayerStore = defineStore('player', () => {
  const clip = shallowRef<PlayerClip | null>(null)
  const index = ref(0)
  const playing = ref(false)
  const speed = ref<number>(0.25)
  const loopRange = ref<FrameRange | null>(null)
  /** A range of indices selected on the timeline (Shift+drag); looped instead of onset→offset. */
  const selection = ref<FrameRange | null>(null)
  const viewMode = ref<PlayerViewMode>('frame')
  const gain = ref<number>(DIFFERENCE_GAIN.default)
  /** Which way the user last moved; prefetch favours it. */
  const direction = ref<1 | -1>(1)
  /** The frame index compared against in the compare / difference views (the onset, by default). */
  const referenceIndex = ref<number | null>(null)
  const cache = shallowRef<FrameCache<ImageBitmap> | null>(null)
  const frameError = ref<string | null>(null)

  let decoder: (url: string, signal: AbortSignal) => Promise<ImageBitmap> = decodeFrameUrl
  let cacheOptions: FrameCacheOptions = DEFAULT_FRAME_CACHE

  const frameCount = computed(() => clip.value?.frameNumbers.length ?? 0)
  const frameNumber = computed(() => clip.value?.frameNumbers[index.value] ?? null)
  const firstFrameNumber = computed(() => clip.value?.frameNumbers[0] ?? 0)
  const timeMs = computed(() => {
    const c = clip.value
    if (!c || frameNumber.value === null) return 0
    return frameToMs(frameNumber.value, { fps: c.fps, firstFrame: firstFrameNumber.value })
  })

  function configure(options: { decoder?: typeof decoder; cache?: FrameCacheOptions }): void {
    if (options.decoder) decoder = options.decoder
    if (options.cache) cacheOptions = options.cache
  }

  function open(next: PlayerClip, startIndex = 0): void {
    pause()
    cache.value?.dispose()
    clip.value = markRaw(next)
    cache.value = markRaw(new FrameCache<ImageBitmap>(next.frameNumbers.length, (i, signal) => decoder(next.frameUrl(i), signal), cacheOptions))
    loopRange.value = null
    selection.value = null
    referenceIndex.value = null
    frameError.value = null
    index.value = clamp(startIndex)
    cache.value.prefetch(index.value, 1)
  }

  function close(): void {
    pause()
    cache.value?.dispose()
    cache.value = null
    clip.value = null
    index.value = 0
  }

  function clamp(i: number): number {
    return Math.max(0, Math.min(frameCount.value - 1, Math.round(i)))
  }

  function seek(i: number): void {
    if (!clip.value) return
    const next = clamp(i)
    if (next !== index.value) direction.value = next > index.value ? 1 : -1
    index.value = next
    cache.value?.prefetch(next, direction.value)
  }

  function step(delta: number): void {
    pause()
    seek(index.value + delta)
  }

  /** Index of a dataset frame number, or null when the clip has no such frame. */
  function indexOfFrame(number: number): number | null {
    const numbers = clip.value?.frameNumbers
    return numbers ? indexOfFrameNumber(numbers, number) : null
  }

  /** Seeks to a dataset frame number; false when the clip has no such frame. */
  function seekFrameNumber(number: number): boolean {
    const i = indexOfFrame(number)
    if (i === null) return false
    pause()
    seek(i)
    return true
  }

  function setReference(frameNumberOrNull: number | null): void {
    referenceIndex.value = frameNumberOrNull === null ? null : indexOfFrame(frameNumberOrNull)
    if (referenceIndex.value !== null) cache.value?.pin([referenceIndex.value])
  }

  // ---- playback ------------------------------------------------------------------------

  let rafId: number | null = null
  let playStartMs = 0
  let playStartIndex = 0

  function play(): void {
    if (!clip.value || playing.value) return
    const range = loopRange.value
    if (range && (index.value < range.from || index.value >= range.to)) index.value = range.from
    else if (!range && index.value >= frameCount.value - 1) index.value = 0
    playing.value = true
    direction.value = 1
    playStartMs = performance.now()
    playStartIndex = index.value
    rafId = requestAnimationFrame(tick)
  }

  function pause(): void {
    playing.value = false
    if (rafId !== null) cancelAnimationFrame(rafId)
    rafId = null
  }

  function togglePlay(): void {
    if (playing.value) pause()
    else play()
  }

  /** Shows the frame due at this display refresh: elapsed time × fps × speed, wrapping in the loop. */
  function tick(now: number): void {
    const c = clip.value
    if (!playing.value || !c) return
    const advanced = Math.floor(((now - playStartMs) / 1000) * c.fps * speed.value)
    const range = loopRange.value
    let next = playStartIndex + advanced
    if (range) {
      const length = range.to - range.from + 1
      next = range.from + ((next - range.from) % length)
    } else if (next >= frameCount.value - 1) {
      seek(frameCount.value - 1)
      pause()
      return
    }
    if (next !== index.value) seek(next)
    rafId = requestAnimationFrame(tick)
  }

  function setSpeed(value: number): void {
    const wasPlaying = playing.value
    pause()
    speed.value = value
    if (wasPlaying) play()
  }

  function changeSpeed(delta: 1 | -1): void {
    const at = PLAYBACK_SPEEDS.findIndex((s) => s >= speed.value - 1e-9)
    const next = PLAYBACK_SPEEDS[Math.max(0, Math.min(PLAYBACK_SPEEDS.length - 1, (at < 0 ? 0 : at) + delta))]!
    setSpeed(next)
  }

  /** Loops `range` (indices), or stops looping when null. */
  function setLoop(range: FrameRange | null): void {
    loopRange.value = range && range.to > range.from ? { from: clamp(range.from), to: clamp(range.to) } : null
    if (playing.value) {
      pause()
      play()
    }
  }

  return {
    clip,
    index,
    playing,
    speed,
    loopRange,
    selection,
    viewMode,
    gain,
    direction,
    referenceIndex,
    cache,
    frameError,
    frameCount,
    frameNumber,
    timeMs,
    configure,
    open,
    close,
    seek,
    step,
    indexOfFrame,
    seekFrameNumber,
    setReference,
    play,
    pause,
    togglePlay,
    setSpeed,
    changeSpeed,
    setLoop,
  }
})
