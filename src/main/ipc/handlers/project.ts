import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'

export function registerProjectHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { projects, projectDesk: desk } = studio
  registry
    .handle('command:project.create', (input) => desk.create(input))
    .handle('command:project.open', (input) => desk.open(input))
    .handle('command:project.close', () => desk.close())
    .handle('query:project.current', () => desk.current())
    .handle('command:dataset.import', (input) => desk.importDataset(input))
    .handle('command:dataset.remove', (input) => desk.removeDataset(input))
    .handle('query:datasets.list', () => projects.require().project.listDatasets())
    .handle('query:samples.list', ({ filter, viewerId }) => projects.require().coding.listSamples(filter, viewerId))
    .handle('query:samples.window', ({ filter, viewerId, offset, limit, facets, sampleId }) =>
      projects.require().coding.sampleWindow(filter, viewerId, { offset, limit, facets, ...(sampleId ? { sampleId } : {}) }),
    )
    .handle('query:samples.neighbour', ({ fromSampleId, direction, filter, viewerId }) => projects.require().coding.neighbour(fromSampleId, direction, filter, viewerId))
    .handle('query:sample.get', ({ sampleId }) => projects.require().project.getSample(sampleId))
}
