/**
 * The project actions of the app, as the handlers call them in one line: create, open, close,
 * import a dataset (as a job) and remove one, each announced with `event:project.changed`
 * (`changed`) carrying the project's summary.
 */
import type { z } from 'zod'
import { DatasetImportResultSchema, type ProjectInfo } from '@shared/ipc/channels/project'
import type { EventPayload, Requests } from '@shared/ipc'
import type { JobManager } from '../jobs'
import type { MediaService } from '../media'
import { importDataset } from './import'
import type { OpenProject, ProjectService } from './projects'

type Input<C extends keyof Requests> = z.output<Requests[C]['input']>

export type ProjectChange = EventPayload<'event:project.changed'>['reason']

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

export interface ProjectDeskDeps {
  projects: ProjectService
  jobs: JobManager
  frames: MediaService
  changed(reason: ProjectChange, project: ProjectInfo | null): void
}

export class ProjectDesk {
  constructor(private readonly deps: ProjectDeskDeps) {}

  current(): ProjectInfo | null {
    const open = this.deps.projects.current
    return open ? projectInfo(open) : null
  }

  /** Announces a change of the open project (also for changes other services make, e.g. the demo or a codes import). */
  announce(reason: ProjectChange): void {
    this.deps.changed(reason, this.current())
  }

  async create({ path, name }: Input<'command:project.create'>): Promise<ProjectInfo> {
    const info = projectInfo(await this.deps.projects.create(path, name))
    this.announce('created')
    return info
  }

  async open({ path }: Input<'command:project.open'>): Promise<ProjectInfo> {
    const info = projectInfo(await this.deps.projects.open(path))
    this.announce('opened')
    return info
  }

  close(): { closed: boolean } {
    const closed = this.deps.projects.close()
    if (closed) this.announce('closed')
    return { closed }
  }

  /** Imports a dataset folder as a job; label problems of single samples are the job's item errors. */
  importDataset({ root, format, labels, fps, name }: Input<'command:dataset.import'>): { jobId: string } {
    const { projects, jobs, frames } = this.deps
    const { project } = projects.require()
    return jobs.start('dataset.import', async (ctx) => {
      const result = await importDataset(project, frames, root, {
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
      this.announce('dataset-imported')
      return DatasetImportResultSchema.parse(result)
    })
  }

  removeDataset({ datasetId }: Input<'command:dataset.remove'>): { removed: boolean } {
    const { project } = this.deps.projects.require()
    const removed = project.transaction(() => project.deleteDataset(datasetId))
    if (removed) this.announce('dataset-removed')
    return { removed }
  }
}
