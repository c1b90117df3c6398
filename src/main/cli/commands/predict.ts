/**
 * `me-studio predict`: starts the studio's workers, then loads and runs the batch
 * (`predict-batch.ts`). The batch needs every worker at once, so they start before the rest of the
 * command loads (the batch domain's schemas, SQLite, sharp, the studio: ≈0.3 s on this thread) and
 * their own start-up (Node, their code, onnxruntime-node) runs meanwhile on the other cores. This
 * module imports only the thin worker hosts.
 */
import type { PredictorSource } from '../../services/batch/predictor'
import { inProcessSessions } from '../../services/inference/onnx-session'
import { stringOption, type CliIo, type CommandRun } from '../command'
import { startStudioWorkers, stopStudioWorkers } from '../../workers/studio-workers'

/** Runs `predict`; `predictors` replaces the inference service (deterministic runs in tests, no workers). */
export async function runPredict(values: Record<string, unknown>, io: CliIo, predictors?: PredictorSource): Promise<number> {
  // The options every run needs, before anything starts.
  stringOption(values, 'project', true)
  stringOption(values, 'model', true)
  const workers = predictors ? undefined : startStudioWorkers({ sessions: inProcessSessions })
  const batch = await import('./predict-batch').catch(async (error: unknown) => {
    if (workers) await stopStudioWorkers(workers)
    throw error
  })
  return batch.runBatch(values, io, { predictors, workers })
}

export const run: CommandRun = ({ values }, io) => runPredict(values, io)
