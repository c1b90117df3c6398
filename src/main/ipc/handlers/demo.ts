import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { createDemoProject, datasetProject, demoPaths, type FirstMinuteOptions, type ProjectReady } from '../../services/demo/starter-projects'

/** The empty screen's first-minute paths: each is a job that ends with the project open. */
export function registerDemoHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { projects, options } = studio

  async function openReady(ready: ProjectReady): Promise<{ projectPath: string; created: boolean }> {
    // Reopening the file that is already open would fight its own exclusive lock.
    if (projects.current?.project.path !== ready.projectFile) {
      await projects.open(ready.projectFile)
      studio.projectDesk.announce('opened')
    }
    return { projectPath: ready.projectFile, created: ready.created }
  }

  /** A job that builds (or finds) a project with the job's progress and cancel, then opens it. */
  const openProjectJob = (kind: 'project.create-demo' | 'project.open-dataset', build: (common: FirstMinuteOptions) => Promise<ProjectReady>) =>
    studio.jobs.start(kind, async (ctx) =>
      openReady(
        await build({
          userDataDir: options.userDataDir,
          media: studio.frames,
          signal: ctx.signal,
          progress: (done, total, message) => ctx.progress(done, total, message),
        }),
      ),
    )

  registry
    .handle('command:project.create-demo', ({ fresh }) =>
      openProjectJob('project.create-demo', (common) => {
        if (fresh && projects.current?.project.path === demoPaths(options.userDataDir).projectFile) {
          projects.close()
          studio.bus.emit('event:project.changed', { reason: 'closed', project: null })
        }
        return createDemoProject({ ...common, fresh })
      }),
    )
    .handle('command:project.open-dataset', ({ root, labels }) => openProjectJob('project.open-dataset', (common) => datasetProject({ ...common, root, labels })))
}
