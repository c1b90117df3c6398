import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../../studio'
import { createDemoProject, datasetProject, demoPaths, type ProjectReady } from '../../services/demo/first-minute'
import { projectInfo } from './project'

/** The empty screen's first-minute paths: each is a job that ends with the project open. */
export function registerDemoHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const { projects, options } = studio

  async function openReady(ready: ProjectReady): Promise<{ projectPath: string; created: boolean }> {
    // Reopening the file that is already open would fight its own exclusive lock.
    if (projects.current?.project.path !== ready.projectFile) {
      await projects.open(ready.projectFile)
      studio.bus.emit('event:project.changed', { reason: 'opened', project: projectInfo(projects.current!) })
    }
    return { projectPath: ready.projectFile, created: ready.created }
  }

  registry
    .handle('command:project.create-demo', ({ fresh }) =>
      studio.jobs.start('project.create-demo', async (ctx) => {
        if (fresh && projects.current?.project.path === demoPaths(options.userDataDir).projectFile) {
          projects.close()
          studio.bus.emit('event:project.changed', { reason: 'closed', project: null })
        }
        const ready = await createDemoProject({
          userDataDir: options.userDataDir,
          media: studio.frames,
          fresh,
          signal: ctx.signal,
          progress: (done, total, message) => ctx.progress(done, total, message),
        })
        return openReady(ready)
      }),
    )
    .handle('command:project.open-dataset', ({ root }) =>
      studio.jobs.start('project.open-dataset', async (ctx) => {
        const ready = await datasetProject({
          userDataDir: options.userDataDir,
          media: studio.frames,
          root,
          signal: ctx.signal,
          progress: (done, total, message) => ctx.progress(done, total, message),
        })
        return openReady(ready)
      }),
    )
}
