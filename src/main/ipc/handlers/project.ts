import { DatasetImportResultSchema, type ProjectInfo } from '@shared/ipc/channels/project'
import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { importDataset } from '../../services/project/import'
import type { OpenProject } from '../../services/project/projects'

export function projectInfo(open: OpenProject): ProjectInfo {
  const { project, coding } = open
  return {
    path: project.path,
    name: project.name,
    schemaVersion: project.database.schemaVersion,
    blindMode: coding.blindMode,
    backupPath: project.database.backupPath,
    datasets: project.listDatasets(),
    annotators: project.listAnnotators(),
  }
}

export function registerProjectHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { projects } = studio
  const changed = (reason: 'created' | 'opened' | 'closed' | 'dataset-imported' | 'dataset-removed') =>
    studio.bus.emit('event:project.changed', { reason, project: projects.current ? projectInfo(projects.current) : null })

  registry
    .handle('command:project.create', async ({ path, name }) => {
      const info = projectInfo(await projects.create(path, name))
      changed('created')
      return info
    })
    .handle('command:project.open', async ({ path }) => {
      const info = projectInfo(await projects.open(path))
      changed('opened')
      return info
    })
    .handle('command:project.close', () => {
      const closed = projects.close()
      if (closed) changed('closed')
      return { closed }
    })
    .handle('query:project.current', () => (projects.current ? projectInfo(projects.current) : null))
    .handle('command:dataset.import', ({ root, format, labels, fps, name }) => {
      const { project } = projects.require()
      return studio.jobs.start('dataset.import', async (ctx) => {
        const result = await importDataset(project, studio.frames, root, {
          ...(format === 'auto' ? {} : { format }),
          ...(labels ? { labels } : {}),
          ...(fps ? { fps } : {}),
          ...(name ? { name } : {}),
          signal: ctx.signal,
          onProgress: (done, total, item) => ctx.progress(done, total, item),
        })
        for (const problem of result.problems.filter((p) => p.severity === 'error')) {
          ctx.itemError(problem.sample ?? problem.code, { code: 'labels/malformed', message: problem.message })
        }
        await projects.addDatasetRoots()
        changed('dataset-imported')
        return DatasetImportResultSchema.parse(result)
      })
    })
    .handle('command:dataset.remove', ({ datasetId }) => {
      const { project } = projects.require()
      const removed = project.transaction(() => project.deleteDataset(datasetId))
      if (removed) changed('dataset-removed')
      return { removed }
    })
    .handle('query:datasets.list', () => projects.require().project.listDatasets())
    .handle('query:samples.list', ({ filter, viewerId }) => projects.require().coding.listSamples(filter, viewerId))
    .handle('query:samples.window', ({ filter, viewerId, offset, limit, facets, sampleId }) =>
      projects.require().coding.sampleWindow(filter, viewerId, { offset, limit, facets, ...(sampleId ? { sampleId } : {}) }),
    )
    .handle('query:samples.neighbour', ({ fromSampleId, direction, filter, viewerId }) => projects.require().coding.neighbour(fromSampleId, direction, filter, viewerId))
    .handle('query:sample.get', ({ sampleId }) => projects.require().project.getSample(sampleId))
}
