import { homedir } from 'node:os'
import { join } from 'node:path'
import { EventBus } from './ipc/event-bus'
import { registerAllHandlers } from './ipc/handlers'
import type { StudioContext, StudioOptions } from './ipc/context'
import { HandlerRegistry } from './ipc/registry'
import { createInferenceService } from './services/inference'
import { ModelService } from './services/inference/model-service'
import { registerInferenceRoutes } from './services/inference/routes'
import { BatchResults } from './services/batch/batch-results'
import { FolderBrowser } from './services/files/browse'
import { Downloads } from './services/files/downloads'
import { BatchService } from './services/batch/batch-service'
import { InferencePredictorSource } from './services/batch/inference-source'
import { JobManager } from './services/jobs'
import { MediaRoots, MediaRouter } from './services/media/media-router'
import { ProjectDesk } from './services/project/project-desk'
import { ProjectService } from './services/project/projects'
import { MediaService, registerFrameRoutes } from './services/media'
import { MotionService, registerMotionRoutes } from './services/motion'
import { LongVideoDesk } from './services/motion/long-video-desk'
import { studioWorkers } from './workers/studio-workers'

export interface Studio extends StudioContext {
  readonly registry: HandlerRegistry
  dispose(): Promise<void>
}

/** The composition root shared by the Electron main process, the browser bridge and tests. */
export function createStudio(options: StudioOptions): Studio {
  const bus = new EventBus()
  const jobs = new JobManager({
    progress: (e) => bus.emit('event:job.progress', e),
    itemError: (e) => bus.emit('event:job.item-error', e),
    done: (e) => bus.emit('event:job.done', e),
  })
  const mediaRoots = new MediaRoots()
  const media = new MediaRouter(mediaRoots)
  const workers = options.workers ?? studioWorkers({ visionWorkers: options.visionWorkers })
  const vision = workers.vision
  const frames = new MediaService({
    // Each video is fully decoded once to index it; the index is kept per machine.
    indexCacheDir: join(options.userDataDir, 'video-index'),
    ...(options.ffmpegPath ? { ffmpeg: async () => options.ffmpegPath! } : {}),
  })
  const motion = new MotionService(frames, vision)
  registerFrameRoutes(media, frames)
  registerMotionRoutes(media, motion)
  const inference = createInferenceService({ ...options, vision, sessionHost: workers.sessions, notify: (message) => bus.emit('event:system.notice', { level: 'warning', message }) })
  registerInferenceRoutes(media, inference)
  const projects = new ProjectService(mediaRoots)
  const batch = new BatchService({
    jobs,
    predictors: options.batch?.predictors ?? new InferencePredictorSource(inference, frames),
    project: () => projects.require().project,
    ...(options.batch?.commitGroup ? { commitGroup: options.batch.commitGroup } : {}),
    onProgress: (p) => bus.emit('event:batch.progress', p),
  })
  const projectDesk = new ProjectDesk({ projects, jobs, frames, changed: (reason, project) => bus.emit('event:project.changed', { reason, project }) })
  const longVideo = new LongVideoDesk({ projects, projectDesk, jobs, frames, mediaRoots, vision, emit: (channel, payload) => bus.emit(channel, payload) })
  const files = new FolderBrowser(() => [homedir(), ...mediaRoots.list(), ...(options.browseRoots ?? [])])
  const downloads = new Downloads()
  const models = new ModelService({ inference, frames, mediaRoots, projects, jobs, vision, downloads })
  const batchResults = new BatchResults({ batch, jobs, projects, inference, frames, downloads })
  const context: StudioContext = { options, bus, jobs, mediaRoots, media, vision, frames, motion, longVideo, projects, projectDesk, inference, models, batch, batchResults, files, downloads }
  const registry = new HandlerRegistry()
  registerAllHandlers(registry, context)
  return {
    ...context,
    registry,
    async dispose() {
      for (const job of jobs.list()) jobs.cancel(job.jobId)
      await inference.dispose()
      await vision.destroy()
      // Predictions finished but still in a batch's commit group go into the project before it closes.
      batch.flushCommits()
      projects.close()
      await downloads.dispose()
    },
  }
}
