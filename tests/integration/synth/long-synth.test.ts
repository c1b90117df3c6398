import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { openDataset } from '../../../src/main/services/datasets'
import { MediaService } from '../../../src/main/services/media'
import { spotKindOf } from '@shared/metrics/spotting'
import { longSynthFixture } from '../../helpers/long-synth-fixture'

/** `me-studio synth --format long`: CAS(ME)²-shaped long videos whose truth the importer reads back. */
describe('synthetic long videos', () => {
  it('places micro- and macro-expressions and distractors apart, within the video, of the right length', async () => {
    const ds = await longSynthFixture()
    expect(ds.truth.videos).toHaveLength(2)
    for (const video of ds.truth.videos) {
      const files = await readdir(ds.clipPath(video))
      expect(files).toHaveLength(video.frameCount)
      expect(files).toContain(`img${video.frameCount}.jpg`)
      expect(video.expressions.filter((e) => e.kind === 'micro').length).toBeGreaterThanOrEqual(2)
      expect(video.expressions.filter((e) => e.kind === 'macro').length).toBeGreaterThanOrEqual(1)
      const all = [...video.expressions, ...video.distractors].sort((a, b) => a.onset - b.onset)
      for (let i = 1; i < all.length; i++) expect(all[i]!.onset).toBeGreaterThan(all[i - 1]!.offset)
      for (const e of video.expressions) {
        expect(e.onset).toBeGreaterThanOrEqual(1)
        expect(e.offset).toBeLessThanOrEqual(video.frameCount)
        expect(e.onset < e.apex && e.apex < e.offset).toBe(true)
        expect(spotKindOf(e.onset, e.offset, video.fps)).toBe(e.kind)
        if (e.kind === 'micro') expect(e.offset - e.onset + 1).toBeLessThanOrEqual(15)
      }
    }
    const kinds = new Set(ds.truth.videos.flatMap((v) => v.distractors.map((d) => d.kind)))
    expect(kinds).toEqual(new Set(['blink', 'head']))
  })

  it('writes a workbook the CAS(ME)² importer turns into one sample per expression', async () => {
    const ds = await longSynthFixture()
    const media = new MediaService({ ffmpeg: async () => Promise.reject(new Error('no video expected')) })
    const opened = await openDataset(ds.root, media, { format: 'casme2-long', labels: ds.labelPath })
    const expected = ds.truth.videos.flatMap((v) =>
      v.expressions.map((e, k) => ({ name: `${v.subject}/${v.video}#${k + 1}`, onset: e.onset, apex: e.apex, offset: e.offset })),
    )
    expect(opened.summary.errors).toBe(0)
    expect(opened.matches.map((m) => ({ name: `${m.sample!.subject}/${m.sample!.name}`, onset: m.row.onset, apex: m.row.apex, offset: m.row.offset }))).toEqual(expected)
  })
})
