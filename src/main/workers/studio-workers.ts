/**
 * The studio's worker threads: the vision pool and the ONNX sessions' host (by default the session
 * worker). `createStudio` makes them (workers start lazily); a host that knows it will need them at
 * once — `me-studio predict`, which also keeps its sessions on its own thread — starts them before
 * it loads the studio's modules, so their start-up (Node's bootstrap, their code) runs on the other
 * cores while the main thread loads and opens the project.
 * This module imports only the thin hosts, never the services.
 */
import { SessionWorkerHost, sessionWorkerLocation } from './inference-host'
import type { SessionHost } from './inference-protocol'
import { VisionPool } from './vision-pool'
import { visionWorkerLocation } from './vision-worker-location'

export interface StudioWorkers {
  vision: VisionPool
  sessions: SessionHost
}

export interface StudioWorkerOptions {
  /** Vision workers; default: the cores. */
  visionWorkers?: number | undefined
  /** Where the ONNX sessions run; default: a worker (`SessionWorkerHost`). */
  sessions?: SessionHost
}

/** The workers, not started. */
export function studioWorkers({ visionWorkers, sessions }: StudioWorkerOptions = {}): StudioWorkers {
  return {
    vision: new VisionPool({ ...visionWorkerLocation(), ...(visionWorkers ? { size: visionWorkers } : {}) }),
    sessions: sessions ?? new SessionWorkerHost(sessionWorkerLocation()),
  }
}

/** The workers, every one started now. */
export function startStudioWorkers(options: StudioWorkerOptions = {}): StudioWorkers {
  const workers = studioWorkers(options)
  workers.sessions.start()
  workers.vision.warm()
  return workers
}

/** Stops workers that were started but never handed to a studio (the studio disposes its own). */
export async function stopStudioWorkers(workers: StudioWorkers): Promise<void> {
  await Promise.all([workers.sessions.dispose(), workers.vision.destroy()])
}
