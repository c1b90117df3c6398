/**
 * What the `predict` and `export` commands share: the studio's services without Electron (media,
 * vision workers, inference, jobs, batch) around one project file, and the folders the app uses.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StudioError } from '@shared/ipc'
import { BatchService, type BatchProgress } from '../../services/batch/batch-service'
import { commitGroupFromEnv } from '../../services/batch/commit-group'
import type { PredictorSource } from '../../services/batch/predictor'
import type { InferenceService } from '../../services/inference'
import type { TrainingInputSource } from '../../services/export/training-set'
import { JobManager } from '../../services/jobs'
import { Project } from '../../services/project/project'
import type { CliIo } from '../command'

/** The app's `resources/` (bundled models): ME_STUDIO_RESOURCES, else the first `resources/models` above this module. */
export function resourcesDir(io: CliIo): string {
  if (io.env.ME_STUDIO_RESOURCES) return resolve(io.cwd, io.env.ME_STUDIO_RESOURCES)
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'resources', 'models'))) return join(dir, 'resources')
    if (dirname(dir) === dir) throw new StudioError('not-found', 'Cannot find the bundled resources folder: set ME_STUDIO_RESOURCES')
  }
}

/** Settings, user models and caches: ME_STUDIO_DATA_DIR, else ~/.me-studio (as the browser bridge). */
export function userDataDir(io: CliIo): string {
  return io.env.ME_STUDIO_DATA_DIR ? resolve(io.cwd, io.env.ME_STUDIO_DATA_DIR) : join(homedir(), '.me-studio')
}

export interface InferenceRuntime {
  inference: InferenceService
  predictors: PredictorSource
  inputs: TrainingInputSource
  dispose(): Promise<void>
}

/** The inference stack (vision workers, ONNX sessions), loaded on demand: it is heavy and not needed with injected predictors. */
export async function loadInference(io: CliIo): Promise<InferenceRuntime> {
  const [{ InferencePredictorSource, InferenceInputSource }, { createInferenceService }, { MediaService }, { VisionPool }, { visionWorkerLocation }] = await Promise.all([
    import('../../services/batch/inference-source'),
    import('../../services/inference'),
    import('../../services/media'),
    import('../../workers/vision-pool'),
    import('../../workers/vision-worker-location'),
  ])
  const dataDir = userDataDir(io)
  if (!existsSync(dataDir)) {
    // First use: the folder appears now, so this is said once.
    mkdirSync(dataDir, { recursive: true })
    io.stderr(`me-studio keeps added models and caches in ${dataDir} (set ME_STUDIO_DATA_DIR to keep them elsewhere)\n`)
  }
  const vision = new VisionPool(visionWorkerLocation())
  const media = new MediaService()
  const inference = createInferenceService({ resourcesDir: resourcesDir(io), userDataDir: dataDir, vision, notify: (message) => io.stderr(`${message}\n`) })
  return {
    inference,
    predictors: new InferencePredictorSource(inference, media),
    inputs: new InferenceInputSource(inference, media),
    async dispose() {
      await inference.dispose()
      await vision.destroy()
    },
  }
}

export interface BatchRuntime {
  project: Project
  batch: BatchService
  jobs: JobManager
  close(): Promise<void>
}

/** Opens the project and the services a batch needs; `predictors` replaces the inference-backed source (tests, child processes). */
export async function openBatchRuntime(
  io: CliIo,
  projectPath: string,
  options: { predictors?: PredictorSource; onProgress?: (p: BatchProgress) => void; keepBackups?: number } = {},
): Promise<BatchRuntime> {
  const commitGroup = commitGroupFromEnv(io.env.ME_STUDIO_BATCH_COMMIT)
  const project = await Project.open(projectPath, options.keepBackups === undefined ? {} : { keepBackups: options.keepBackups })
  const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
  const inference = options.predictors ? null : await loadInference(io)
  const predictors = options.predictors ?? inference!.predictors
  const batch = new BatchService({
    jobs,
    predictors,
    project: () => project,
    commitGroup,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  })
  return {
    project,
    batch,
    jobs,
    async close() {
      await inference?.dispose()
      project.close()
    },
  }
}
