/**
 * Long-video candidate review as the handlers call it in one line: spotting a clip is a job whose
 * candidates are saved into the project it was started in; reviewing a candidate announces what
 * changed (the candidates, the coded sample, or the project's samples when an accept added one).
 */
import type { z } from 'zod'
import type { EventChannelName, EventPayload, Requests } from '@shared/ipc'
import { StudioError } from '@shared/ipc/errors'
import type { JobResultOf } from '@shared/ipc/channels/job-results'
import type { VisionPool } from '../../workers/vision-pool'
import type { JobManager } from '../jobs'
import type { MediaService } from '../media'
import type { MediaRoots } from '../media/media-router'
import type { ProjectDesk } from '../project/project-desk'
import type { ProjectService } from '../project/projects'
import { CandidateReviewService } from './candidates'
import { spotLongClip } from './interval-spotting'

type Input<C extends keyof Requests> = z.output<Requests[C]['input']>
type Output<C extends keyof Requests> = z.output<Requests[C]['output']>

export interface LongVideoDeskDeps {
  projects: ProjectService
  projectDesk: ProjectDesk
  jobs: JobManager
  frames: MediaService
  mediaRoots: MediaRoots
  vision: VisionPool
  emit<E extends EventChannelName>(channel: E, payload: EventPayload<E>): void
}

export class LongVideoDesk {
  constructor(private readonly deps: LongVideoDeskDeps) {}

  /** Spots every interval of the sample's clip as a job (progress, cancel). */
  async start({ sampleId }: Input<'command:spotting.start'>): Promise<{ jobId: string }> {
    const { jobs, frames, mediaRoots, vision, projects } = this.deps
    const service = this.service()
    const sample = service.spottable(sampleId)
    const clip = await mediaRoots.resolve(sample.clip.path)
    return jobs.start('spotting.long', async (ctx): Promise<JobResultOf<'spotting.long'>> => {
      ctx.progress(0, sample.clip.frameCount)
      const result = await spotLongClip(clip, { media: frames, pool: vision }, {
        fps: sample.clip.fps,
        signal: ctx.signal,
        onProgress: ({ done, total }) => ctx.progress(done, total, `Spotting ${done}/${total} frames`),
      })
      // Sample ids are per project: the result is saved only into the project it was started in.
      const { project } = projects.require()
      if (project !== service.project) throw new StudioError('conflict', 'The project was closed or switched while spotting: nothing was saved; spot again in it')
      this.changed(service.saveRun(sampleId, result))
      const expressions = result.intervals.filter((c) => c.label === 'expression').length
      return { candidates: result.intervals.length, expressions, warnings: result.warnings }
    })
  }

  candidates({ sampleId }: Input<'query:spotting.candidates'>): Output<'query:spotting.candidates'> {
    return this.service().run(sampleId)
  }

  review(input: Input<'command:spotting.review'>): Output<'command:spotting.review'> {
    const { candidate, sampleAdded, ...where } = this.service().review(input)
    this.changed(where)
    if (input.action === 'accept' && candidate.sampleId !== null) {
      // The accept coded that sample for the coder: an open coding form of it shows the marks.
      this.deps.emit('event:annotation.changed', { sampleId: candidate.sampleId, annotatorId: input.annotatorId, adjudicated: false, action: 'accept spotted candidate' })
      if (sampleAdded) this.deps.projectDesk.announce('samples-added')
      else this.deps.emit('event:samples.updated', this.deps.projects.require().coding.sampleUpdate(candidate.sampleId, input.annotatorId))
    }
    return { candidate }
  }

  evaluation({ iou }: Input<'query:spotting.evaluation'>): Output<'query:spotting.evaluation'> {
    return this.service().evaluation(iou)
  }

  /** Candidates and their review live in the open project. */
  private service(): CandidateReviewService {
    const { project, coding } = this.deps.projects.require()
    return new CandidateReviewService(project, coding)
  }

  private changed(where: { datasetId: number; clipPath: string }): void {
    this.deps.emit('event:spotting.changed', { datasetId: where.datasetId, clipPath: where.clipPath })
  }
}
