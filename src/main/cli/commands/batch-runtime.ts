/**
 * What the `predict` and `export` commands share: the studio's services without Electron (media,
 * vision workers, inference, jobs, batch) around one project file, and the folders the app uses.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StudioError } from '@shared/ipc'
import { BatchService, type BatchProgress } from '../../services/batch/batch-service'
import type { PredictorSource } from '../../services/batch/predictor'
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

export interface BatchRuntime {
  project: Project
  batch: BatchService
  jobs: JobManager
  close(): Promise<void>
}

/**
 * Opens the project and the services a batch needs. `predictors` replaces the inference-backed
 * source (tests and child processes use a deterministic one).
 */
export async function openBatchRuntime(io: CliIo, projectPath: string, options: { predictors?: PredictorSource; onProgress?: (p: BatchProgress) => void } = {}): Promise<BatchRuntime> {
  const project = await Project.open(projectPath)
  const jobs = new JobManager({ progress: () => undefined, itemError: () => undefined, done: () => undefined })
  let dispose = async () => undefined as void
  let predictors = options.predictors
  if (!predictors) {
    // Loaded on demand: the vision and ONNX stack is heavy and not needed with injected predictors.
    const [{ InferencePredictorSource }, { createInferenceService }, { MediaService }, { VisionPool }, { visionWorkerLocation }] = await Promise.all([
      import('../../services/batch/inference-source'),
      import('../../services/inference'),
      import('../../services/media'),
      import('../../workers/vision-pool'),
      import('../../workers/vision-worker-location'),
    ])
    const vision = new VisionPool(visionWorkerLocation())
    const media = new MediaService()
    const inference = createInferenceService({
      resourcesDir: resourcesDir(io),
      userDataDir: userDataDir(io),
      vision,
      notify: (message) => io.stderr(`${message}\n`),
    })
    predictors = new InferencePredictorSource(inference, media)
    dispose = async () => {
      await inference.dispose()
      await vision.destroy()
    }
  }
  const batch = new BatchService({ jobs, predictors, project: () => project, ...(options.onProgress ? { onProgress: options.onProgress } : {}) })
  return {
    project,
    batch,
    jobs,
    async close() {
      await dispose()
      project.close()
    },
  }
}
