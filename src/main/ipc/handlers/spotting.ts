import { StudioError } from '@shared/ipc'
import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { CandidateReviewService } from '../../services/motion/candidates'
import { spotLongClip } from '../../services/motion/interval-spotting'
import { projectInfo } from './project'

/** Long-video candidate review: spotting a clip is a job; candidates and their review live in the project. */
export function registerSpottingHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const review = () => {
    const { project, coding } = studio.projects.require()
    return new CandidateReviewService(project, coding)
  }
  const changed = (where: { datasetId: number; clipPath: string }) => studio.bus.emit('event:spotting.changed', { datasetId: where.datasetId, clipPath: where.clipPath })

  registry
    .handle('command:spotting.start', async ({ sampleId }) => {
      const service = review()
      const sample = service.spottable(sampleId)
      const clip = await studio.mediaRoots.resolve(sample.clip.path)
      return studio.jobs.start('spotting.long', async (ctx) => {
        ctx.progress(0, sample.clip.frameCount)
        const result = await spotLongClip(clip, { media: studio.frames, pool: studio.vision }, {
          fps: sample.clip.fps,
          signal: ctx.signal,
          onProgress: ({ done, total }) => ctx.progress(done, total, `Spotting ${done}/${total} frames`),
        })
        // Sample ids are per project: the result is saved only into the project it was started in.
        const { project } = studio.projects.require()
        if (project !== service.project) throw new StudioError('conflict', 'The project was closed or switched while spotting: nothing was saved; spot again in it')
        changed(service.saveRun(sampleId, result))
        const expressions = result.intervals.filter((c) => c.label === 'expression').length
        return { candidates: result.intervals.length, expressions, warnings: result.warnings }
      })
    })
    .handle('query:spotting.candidates', ({ sampleId }) => review().run(sampleId))
    .handle('command:spotting.review', (input) => {
      const { candidate, sampleAdded, ...where } = review().review(input)
      changed(where)
      if (input.action === 'accept' && candidate.sampleId !== null) {
        // The accept coded that sample for the coder: an open coding form of it shows the marks.
        studio.bus.emit('event:annotation.changed', { sampleId: candidate.sampleId, annotatorId: input.annotatorId, adjudicated: false, action: 'accept spotted candidate' })
        if (sampleAdded) studio.bus.emit('event:project.changed', { reason: 'samples-added', project: projectInfo(studio.projects.require()) })
        else studio.bus.emit('event:samples.updated', studio.projects.require().coding.sampleUpdate(candidate.sampleId, input.annotatorId))
      }
      return { candidate }
    })
    .handle('query:spotting.evaluation', ({ iou }) => review().evaluation(iou))
}
