import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { MediaService } from '../../../src/main/services/media'
import { CandidateReviewService } from '../../../src/main/services/motion/candidates'
import { spotLongClip, type LongSpotResult } from '../../../src/main/services/motion/interval-spotting'
import { importDataset } from '../../../src/main/services/project/import'
import { Project } from '../../../src/main/services/project/project'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'
import { runCliCaptured } from '../../helpers/cli'
import { longSynthFixture, type LongSynthFixture } from '../../helpers/long-synth-fixture'
import { scratchDir } from '../../unit/project/project-fixture'

/**
 * Candidate review on a generated CAS(ME)²-shaped long video (12 s, 30 fps): the spotted run is
 * stored per clip, accept/reject/edges persist across reopening the project, an accept codes an
 * expression sample `<video>#k`, re-spotting keeps the review, and the MEGC evaluation reads it.
 */
const scratch = scratchDir('me-candidates-')
let ds: LongSynthFixture
let result: LongSpotResult
const file = () => join(scratch.dir, 'review.mestudio')

beforeAll(async () => {
  ds = await longSynthFixture()
  const pool = new VisionPool({ ...visionWorkerLocation(), size: 2 })
  try {
    result = await spotLongClip(ds.clipPath(ds.truth.videos[0]!), { media: new MediaService(), pool }, { fps: 30 })
  } finally {
    await pool.destroy()
  }
  const project = await Project.open(file(), { create: true })
  await importDataset(project, new MediaService(), ds.root, { format: 'casme2-long', labels: ds.labelPath })
  project.transaction(() => project.ensureAnnotator('Coder', 'coder'))
  project.close()
}, 180_000)
afterAll(() => scratch.cleanup())

async function open(): Promise<{ project: Project; review: CandidateReviewService; coder: number; close: () => void }> {
  const project = await Project.open(file())
  const coding = new CodingService(project)
  return { project, review: new CandidateReviewService(project, coding), coder: project.annotatorByName('Coder')!.id, close: () => project.close() }
}

const videoSamples = (project: Project, video: string) => project.listSampleRows().filter((s) => s.name.replace(/#\d+$/, '') === video)

describe('candidate review', () => {
  it('stores the run per clip: every sample of the video sees the candidates and the curve, in frame numbers', async () => {
    const { project, review, close } = await open()
    try {
      const video = ds.truth.videos[0]!
      const [first, second] = videoSamples(project, video.video)
      expect(second).toBeDefined()
      expect(review.run(first!.id)).toBeNull()
      review.saveRun(first!.id, result)
      const run = review.run(second!.id)!
      expect(run.frames).toBe(video.frameCount)
      expect(run).toMatchObject({ firstFrame: 1, lastFrame: video.frameCount, fps: 30, curveStep: 1 })
      expect(run.curve).toHaveLength(video.frameCount)
      const spotted = [...result.intervals].sort((a, b) => a.onset - b.onset)
      expect(run.candidates.map((c) => [c.onset, c.offset, c.label])).toEqual(spotted.map((c) => [c.onset, c.offset, c.label]))
      expect(run.candidates.every((c) => c.state === 'pending' && c.sampleId === null)).toBe(true)
      // Other videos have no run yet.
      const other = videoSamples(project, ds.truth.videos[1]!.video)[0]!
      expect(review.run(other.id)).toBeNull()
    } finally {
      close()
    }
  })

  it('keeps accept, reject and edited edges across reopening; an accept codes the expression for the coder', async () => {
    let accepted: number
    let rejected: number
    let edited: number
    {
      const { project, review, coder, close } = await open()
      try {
        const sample = videoSamples(project, ds.truth.videos[0]!.video)[0]!
        const expressions = review.run(sample.id)!.candidates.filter((c) => c.label === 'expression')
        expect(expressions.length).toBeGreaterThanOrEqual(3)
        const before = project.listSampleRows().length
        const a = review.review({ action: 'accept', candidateId: expressions[0]!.id, annotatorId: coder })
        accepted = a.candidate.id
        expect(a.candidate.state).toBe('accepted')
        // The dataset's labels hold this expression already: the coder's coding goes on that sample, no duplicate.
        const target = project.getSample(a.candidate.sampleId!)
        expect(target.name).toMatch(new RegExp(`^${ds.truth.videos[0]!.video}#\\d+$`))
        expect(project.listSampleRows()).toHaveLength(before)
        expect(project.getAnnotation({ sampleId: target.id, annotatorId: coder, adjudicated: false })).toMatchObject({
          onset: expressions[0]!.onset,
          apex: expressions[0]!.apex,
          offset: expressions[0]!.offset,
        })
        rejected = review.review({ action: 'reject', candidateId: expressions[1]!.id }).candidate.id
        const e = expressions[2]!
        edited = review.review({ action: 'edges', candidateId: e.id, onset: e.onset - 1, offset: e.offset + 2 }).candidate.id
        expect(() => review.review({ action: 'edges', candidateId: e.id, onset: 10, offset: 5 })).toThrow(/before onset/)
        expect(() => review.review({ action: 'edges', candidateId: e.id, onset: 0, offset: 5 })).toThrow(/outside the video/)
        expect(() => review.review({ action: 'reject', candidateId: 99_999 })).toThrow(/No spotted candidate/)
      } finally {
        close()
      }
    }
    const { project, review, close } = await open()
    try {
      const sample = videoSamples(project, ds.truth.videos[0]!.video)[0]!
      const byId = new Map(review.run(sample.id)!.candidates.map((c) => [c.id, c]))
      expect(byId.get(accepted)!.state).toBe('accepted')
      expect(byId.get(rejected)!.state).toBe('rejected')
      const e = byId.get(edited)!
      expect(e).toMatchObject({ edited: true, onset: e.spotted.onset - 1, offset: e.spotted.offset + 2, state: 'pending' })
      // Spotting again replaces only the untouched candidates.
      review.saveRun(sample.id, result)
      const again = review.run(sample.id)!.candidates
      expect(again.filter((c) => c.state !== 'pending' || c.edited).map((c) => c.id).sort()).toEqual([accepted, rejected, edited].sort())
      expect(again).toHaveLength(result.intervals.length)
    } finally {
      close()
    }
  })

  it('creates a new sample <video>#k for an expression nobody labelled', async () => {
    const { project, review, coder, close } = await open()
    try {
      const video = ds.truth.videos[0]!
      const sample = videoSamples(project, video.video)[0]!
      const before = videoSamples(project, video.video).map((s) => s.name)
      // A spotted blink is refused; a pending expression moved where no label is gets its own sample.
      const blink = review.run(sample.id)!.candidates.find((c) => c.label !== 'expression')
      if (blink) expect(() => review.review({ action: 'accept', candidateId: blink.id, annotatorId: coder })).toThrow(/not an expression/)
      const free = review.run(sample.id)!.candidates.find((c) => c.label === 'expression' && c.state === 'pending' && !c.edited)!
      review.review({ action: 'edges', candidateId: free.id, onset: 2, offset: 8 })
      const { candidate } = review.review({ action: 'accept', candidateId: free.id, annotatorId: coder })
      const created = project.getSample(candidate.sampleId!)
      expect(created.name).toBe(`${video.video}#${before.length + 1}`)
      expect(created.clip.path).toBe(sample.clip.path)
      expect(created.clip.frameNumbers).toEqual(sample.clip.frameNumbers)
      expect(project.getAnnotation({ sampleId: created.id, annotatorId: coder, adjudicated: false })).toMatchObject({ onset: 2, offset: 8 })
    } finally {
      close()
    }
  })

  it('evaluates the stored candidates as MEGC does, rejected ones left out', async () => {
    const { review, close } = await open()
    try {
      const e = review.evaluation(0.5)
      expect(e.basis).toMatch(/not rejected/)
      expect(e.videos).toHaveLength(2)
      expect(e.unpredicted).toEqual([`${ds.truth.videos[1]!.subject}/${ds.truth.videos[1]!.video}`])
      const spotted = e.videos.find((v) => v.video.endsWith(ds.truth.videos[0]!.video))!
      const expressions = result.intervals.filter((c) => c.label === 'expression').length
      // One rejected; the accepted one at 2–8 became its own truth and matches itself.
      expect(spotted.predictions).toBe(expressions - 1)
      expect(spotted.truths).toBe(ds.truth.videos[0]!.expressions.length + 1)
      const overall = e.pooled.overall
      expect(overall.tp + overall.fp).toBe(expressions - 1)
      expect(overall.tp + overall.fn).toBe(ds.truth.videos[0]!.expressions.length + 1 + ds.truth.videos[1]!.expressions.length)
      expect(overall.f1).toBeGreaterThan(0)
    } finally {
      close()
    }
  })

  it('me-studio evaluate-spotting --project --reviewed scores the same candidates as the view', async () => {
    const { review, close } = await open()
    const view = review.evaluation(0.5)
    close()
    const cli = await runCliCaptured(['evaluate-spotting', '--project', file(), '--reviewed', '--json'], scratch.dir)
    expect(cli.code, cli.stderr).toBe(0)
    const printed = JSON.parse(cli.stdout) as { pooled: unknown; videos: unknown[] }
    expect(printed.pooled).toEqual(view.pooled)
    expect(printed.videos).toEqual(view.videos)
    const misuse = await runCliCaptured(['evaluate-spotting', '--truth', 'x.json', '--reviewed'], scratch.dir)
    expect(misuse.stderr).toMatch(/--reviewed takes the predictions from the project/)
  })

  it('sends the curve of a 24,000-frame video (200 fps, 2 min) as 2,000 bin maxima, peaks kept', async () => {
    const { project, review, close } = await open()
    try {
      const sample = videoSamples(project, ds.truth.videos[1]!.video)[0]!
      const curve = new Float32Array(24_000).fill(0.01)
      curve[12_345] = 3
      review.saveRun(sample.id, { ...result, fps: 200, frames: 24_000, frameNumbers: { first: 1, last: 24_000 }, curve, intervals: [] })
      const run = review.run(sample.id)!
      expect(run).toMatchObject({ frames: 24_000, curveStep: 12, candidates: [] })
      expect(run.curve).toHaveLength(2000)
      expect(run.curve[Math.floor(12_345 / 12)]).toBe(3)
      expect(Math.max(...run.curve.filter((_, i) => i !== Math.floor(12_345 / 12)))).toBeCloseTo(0.01, 4)
    } finally {
      close()
    }
  })
})
