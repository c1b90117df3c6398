import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../../studio'
import { registerJobHandlers } from './jobs'
import { registerMotionHandlers } from './motion'
import { registerSystemHandlers } from './system'

/** Every domain registers its handlers here, once, for both binders. */
export function registerAllHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registerSystemHandlers(registry, studio)
  registerJobHandlers(registry, studio)
  registerMotionHandlers(registry, studio)
}
