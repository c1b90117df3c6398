/**
 * The inference service as the studio wires it: registry (bundled + user models), sessions on
 * the best execution provider hosted in a worker thread, input building on the vision worker
 * pool, predictions.
 */
import { join } from 'node:path'
import type { VisionPool } from '../../workers/vision-pool'
import { alignOn } from '../motion/face-alignment'
import { apexSpotter } from './apex-spotting'
import { InputBuilder } from './inputs'
import { ParityGate, VerdictStore } from './parity'
import { InferenceService } from './predict'
import { ModelRegistry } from './registry'
import { SessionWorkerHost, sessionWorkerLocation, type SessionWorkerLocation } from '../../workers/inference-host'
import type { SessionHost } from '../../workers/inference-protocol'
import { SessionHandoff } from './onnx-session'
import { SessionCache } from './session-cache'
import { poolVisionCompute } from './vision-compute'

export interface CreateInferenceOptions {
  resourcesDir: string
  userDataDir: string
  vision: VisionPool
  /** Shown to the user (provider fallbacks). */
  notify: (message: string) => void
  /** The session worker's entry; default: the one of the code running now (`sessionWorkerLocation`). */
  sessionWorker?: SessionWorkerLocation
  /** The sessions' host made (and perhaps started) by the caller; the service disposes it. */
  sessionHost?: SessionHost
}

export function createInferenceService(options: CreateInferenceOptions): InferenceService {
  // onnxruntime-node runs models synchronously on the calling thread: sessions live in a worker.
  const host = options.sessionHost ?? new SessionWorkerHost(options.sessionWorker ?? sessionWorkerLocation())
  // The registry's file check opens the model (its signature); that session is the one the first prediction uses.
  const handoff = new SessionHandoff(host.factory)
  // The parity gate's sessions run in the same worker; its verdicts outlive the process.
  const gate = new ParityGate({ factory: host.factory, store: new VerdictStore(join(options.userDataDir, 'cache', 'provider-verdicts.json')) })
  const sessions = new SessionCache(handoff.factory, options.notify, { gate })
  const registry = new ModelRegistry({ bundledDir: join(options.resourcesDir, 'models'), userDir: join(options.userDataDir, 'models'), factory: handoff.signatureFactory })
  const inputs = new InputBuilder({
    compute: poolVisionCompute(options.vision),
    diskCacheDir: join(options.userDataDir, 'cache', 'inference-flow'),
    spotApex: apexSpotter(options.vision),
    // The motion views' aligner: the same onset-frame similarity the viewer shows. It fits the two
    // eye centres of the 68 landmarks, for '5-point-onset' and '68-landmark-onset' cards alike.
    alignFace: async (onset, side) => (await alignOn({ width: onset.width, height: onset.height, data: Float32Array.from(onset.data) }, side, options.vision))?.transform ?? null,
  })
  const onDispose = async (): Promise<void> => {
    await handoff.dispose()
    await host.dispose()
  }
  return new InferenceService({ registry, sessions, inputs, onDispose, onWarmUp: () => host.start() })
}

export { InferenceService, type Prediction } from './predict'
export type { ProviderStanding } from './session-cache'
export { InputBuilder, recipeIdOf, type BuiltInput } from './inputs'
export { ModelRegistry, type RegisteredModel } from './registry'
export type { InferenceSample } from './sample'
