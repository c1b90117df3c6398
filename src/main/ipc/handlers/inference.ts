import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerInferenceHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { models } = studio
  registry
    .handle('query:models.list', (input) => models.list(input))
    .handle('query:models.providers', (input) => models.providers(input))
    .handle('command:models.add', (input) => models.add(input))
    .handle('command:models.remove', (input) => models.remove(input))
    .handle('command:models.save-card', (input) => models.saveCard(input))
    .handle('command:predict.sample', (input) => models.startPrediction(input))
    .handle('command:predict.export', (input) => models.exportPrediction(input))
}
