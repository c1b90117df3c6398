import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerFileHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  registry.handle('query:files.list', ({ path, hidden, extensions }) => studio.files.list(path, { hidden, extensions }))
}
