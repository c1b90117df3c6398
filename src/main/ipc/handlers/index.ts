import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { registerJobHandlers } from './jobs'
import { registerBatchHandlers } from './batch'
import { registerInferenceHandlers } from './inference'
import { registerMotionHandlers } from './motion'
import { registerDatasetHandlers } from './datasets'
import { registerMediaHandlers } from './media'
import { registerSystemHandlers } from './system'
import { registerProjectHandlers } from './project'
import { registerAnnotationHandlers } from './annotations'
import { registerDemoHandlers } from './demo'
import { registerSpottingHandlers } from './spotting'
import { registerFileHandlers } from './files'

/** Every domain registers its handlers here, once, for both binders. */
export function registerAllHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registerSystemHandlers(registry, studio)
  registerJobHandlers(registry, studio)
  registerBatchHandlers(registry, studio)
  registerInferenceHandlers(registry, studio)
  registerProjectHandlers(registry, studio)
  registerAnnotationHandlers(registry, studio)
  registerDemoHandlers(registry, studio)
  registerMotionHandlers(registry, studio)
  registerDatasetHandlers(registry, studio)
  registerMediaHandlers(registry, studio)
  registerSpottingHandlers(registry, studio)
  registerFileHandlers(registry, studio)
}
