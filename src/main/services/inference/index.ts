/**
 * The inference service as the studio wires it: registry (bundled + user models), sessions on
 * the best execution provider, input building on the vision worker pool, predictions.
 */
import { join } from 'node:path'
import type { VisionPool } from '../../workers/vision-pool'
import { spotSampleApex } from './apex-spotting'
import { InputBuilder } from './inputs'
import { InferenceService } from './predict'
import { ModelRegistry } from './registry'
import { ortSessionFactory, type SessionFactory } from './session'
import { SessionCache } from './sessions'
import { poolVisionCompute } from './vision-compute'

export interface CreateInferenceOptions {
  resourcesDir: string
  userDataDir: string
  vision: VisionPool
  /** Shown to the user (provider fallbacks). */
  notify: (message: string) => void
  factory?: SessionFactory
}

export function createInferenceService(options: CreateInferenceOptions): InferenceService {
  const factory = options.factory ?? ortSessionFactory
  const sessions = new SessionCache(factory, options.notify)
  const registry = new ModelRegistry({ bundledDir: join(options.resourcesDir, 'models'), userDir: join(options.userDataDir, 'models'), factory })
  const inputs = new InputBuilder({ compute: poolVisionCompute(options.vision), diskCacheDir: join(options.userDataDir, 'cache', 'inference-flow'), spotApex: spotSampleApex })
  return new InferenceService({ registry, sessions, inputs })
}

export { InferenceService, type Prediction } from './predict'
export { InputBuilder, recipeIdOf, type BuiltInput } from './inputs'
export { ModelRegistry, type RegisteredModel } from './registry'
export type { InferenceSample } from './sample'
