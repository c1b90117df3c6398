import { join } from 'node:path'
import { EventBus } from './ipc/event-bus'
import { registerAllHandlers } from './ipc/handlers'
import { HandlerRegistry } from './ipc/registry'
import { createInferenceService, type InferenceService } from './services/inference'
import { ModelService } from './services/inference/model-service'
import { registerInferenceRoutes } from './services/inference/routes'
import { BatchResults } from './services/batch/batch-results'
import { BatchService } from './services/batch/batch-service'
import type { CommitGroupLimits } from './services/batch/commit-group'
import { InferencePredictorSource } from './services/batch/inference-source'
import type { PredictorSource } from './services/batch/predictor'
import { JobManager } from './services/jobs'
import { MediaRoots, MediaRouter } from './services/media-access'
import { ProjectDesk } from './services/project/project-desk'
import { ProjectService } from './services/project/projects'
import { MediaService, registerFrameRoutes } from './services/media'
import { MotionService, registerMotionRoutes } from './services/motion'
import { VisionPool } from './workers/vision-pool'
import { visionWorkerLocation } from './workers/vision-worker-location'

export interface StudioOptions {
  host: 'electron' | 'bridge' | 'cli'
  /** Where settings, caches and the recent-projects list live. */
  userDataDir: string
  /** The app's `resources/` folder (AU catalogue, bundled models). */
  resourcesDir: string
  /** ffmpeg chosen in settings; otherwise the locator's order applies. */
  ffmpegPath?: string | undefined
  /** Worker threads for vision tasks; defaults to the cores. */
  visionWorkers?: number
  /** Batch prediction: another predictor source (tests, CLI child processes) and group-commit limits. */
  batch?: { predictors?: PredictorSource; commitGroup?: CommitGroupLimits }
}

/** Everything the handlers reach: services only, no Electron. */
export interface StudioContext {
  readonly options: StudioOptions
  readonly bus: EventBus
  readonly jobs: JobManager
  readonly mediaRoots: MediaRoots
  readonly media: MediaRouter
  /** Worker pool for CPU-heavy vision (flow, magnification); workers start on first use. */
  readonly vision: VisionPool
  /** Frame-exact decoding of videos and image sequences (one byte-bounded cache for the app). */
  readonly frames: MediaService
  /** Flow/strain and magnification views of clips, cached per (clip, parameters). */
  readonly motion: MotionService
  /** Model registry, execution providers, input building and predictions. */
  readonly inference: InferenceService
  /** The app's model actions: list, add, one-sample predictions recorded in the open project. */
  readonly models: ModelService
  /** The open project (SQLite file) and its coding service. */
  readonly projects: ProjectService
  /** Project actions (create, open, close, dataset import and removal), each announced on the bus. */
  readonly projectDesk: ProjectDesk
  /** Resumable batch prediction over the open project's samples. */
  readonly batch: BatchService
  /** The batches' job list, errors, exports and evaluation. */
  readonly batchResults: BatchResults
}

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
  const vision = new VisionPool({ ...visionWorkerLocation(), ...(options.visionWorkers ? { size: options.visionWorkers } : {}) })
  const frames = new MediaService({
    // Each video is fully decoded once to index it; the index is kept per machine.
    indexCacheDir: join(options.userDataDir, 'video-index'),
    ...(options.ffmpegPath ? { ffmpeg: async () => options.ffmpegPath! } : {}),
  })
  const motion = new MotionService(frames, vision)
  registerFrameRoutes(media, frames)
  registerMotionRoutes(media, motion)
  const inference = createInferenceService({ ...options, vision, notify: (message) => bus.emit('event:system.notice', { level: 'warning', message }) })
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
  const models = new ModelService({ inference, frames, mediaRoots, projects, jobs })
  const batchResults = new BatchResults({ batch, jobs, projects, inference, frames })
  const context: StudioContext = { options, bus, jobs, mediaRoots, media, vision, frames, motion, projects, projectDesk, inference, models, batch, batchResults }
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
    },
  }
}
