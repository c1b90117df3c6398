import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { collectSystemInfo } from '../../services/system-info'

export function registerSystemHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registry
    .handle('query:system.info', () => collectSystemInfo(studio.options.host, { setting: studio.options.ffmpegPath }, studio.inference.providersRan()))
    .handle('query:system.ping', ({ echo }) => ({ pong: echo ?? 'pong' }))
}
