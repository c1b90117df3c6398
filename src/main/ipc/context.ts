/**
 * What the handlers reach, in its own file so that the handlers do not import the composition
 * root (`studio.ts`) that imports them: the Node layers stay in order (scripts/check-boundaries.mjs).
 */
import type { BatchResults } from '../services/batch/batch-results'
import type { BatchService } from '../services/batch/batch-service'
import type { CommitGroupLimits } from '../services/batch/commit-group'
import type { PredictorSource } from '../services/batch/predictor'
import type { FolderBrowser } from '../services/files/browse'
import type { Downloads } from '../services/files/downloads'
import type { InferenceService } from '../services/inference'
import type { ModelService } from '../services/inference/model-service'
import type { JobManager } from '../services/jobs'
import type { MediaService } from '../services/media'
import type { MediaRoots, MediaRouter } from '../services/media/media-router'
import type { MotionService } from '../services/motion'
import type { LongVideoDesk } from '../services/motion/long-video-desk'
import type { ProjectDesk } from '../services/project/project-desk'
import type { ProjectService } from '../services/project/projects'
import type { StudioWorkers } from '../workers/studio-workers'
import type { VisionPool } from '../workers/vision-pool'
import type { EventBus } from './event-bus'

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
  /** Folders the file picker may show besides the home folder and the open project's (e.g. `/data` on a lab server). */
  browseRoots?: readonly string[]
  /** Batch prediction: another predictor source (tests, CLI child processes) and group-commit limits. */
  batch?: { predictors?: PredictorSource; commitGroup?: CommitGroupLimits }
  /** Worker threads the host started early (`startStudioWorkers`); the studio owns and disposes them. */
  workers?: StudioWorkers
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
  /** Long-video candidate review: spotting jobs and the review of their candidates. */
  readonly longVideo: LongVideoDesk
  /** Model registry, execution providers, input building and predictions. */
  readonly inference: InferenceService
  /** The app's model actions: list, add, remove, one-sample predictions recorded in the open project. */
  readonly models: ModelService
  /** The open project (SQLite file) and its coding service. */
  readonly projects: ProjectService
  /** Project actions (create, open, close, dataset import and removal), each announced on the bus. */
  readonly projectDesk: ProjectDesk
  /** Resumable batch prediction over the open project's samples. */
  readonly batch: BatchService
  /** The batches' job list, errors, exports and evaluation. */
  readonly batchResults: BatchResults
  /** The file picker's listings: the home folder, the open project's folders and `browseRoots` only. */
  readonly files: FolderBrowser
  /** Exported files offered to the browser once each (`/download/<id>` on the bridge). */
  readonly downloads: Downloads
}
