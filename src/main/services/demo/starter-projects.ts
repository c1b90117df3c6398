import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, realpath, rename, rm } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { StudioError } from '@shared/ipc'
import type { MediaService } from '../media/media-service'
import { importDataset } from '../project/import'
import { Project } from '../project/project'
import { generateSyntheticDataset, type SynthOptions } from '../synth/generate'

/**
 * The empty screen's two ways in, both ending with a project file ready to open:
 *
 * - the demo: a small synthetic CASME II-shaped dataset (known onset, apex, offset, AUs and
 *   emotion per sample) generated into the user data folder and imported into its own project,
 *   with one coder profile so a newcomer can code at once;
 * - a dataset folder opened with no project open: the dataset gets its own project in the user
 *   data folder (one per folder, found again by the folder's real path).
 *
 * Each is built once; later calls reuse it (coding done in it is kept). Every step writes to a
 * `.partial` path renamed when complete, so an interrupted run never leaves something that looks
 * finished.
 */

/** Small enough to generate in seconds, big enough to browse: 3 subjects × 3 samples, 256×256 at 200 fps. */
export const DEMO_DATASET = {
  subjects: 3,
  samplesPerSubject: 3,
  seed: 2026,
  format: 'casme2',
  width: 256,
  height: 256,
  fps: 200,
} as const satisfies Partial<SynthOptions>

export const DEMO_PROJECT_NAME = 'ME Studio demo'
export const DEMO_CODER = 'Demo coder'

export interface FirstMinuteProgress {
  (done: number, total: number, message: string): void
}

export interface FirstMinuteOptions {
  userDataDir: string
  media: MediaService
  progress: FirstMinuteProgress
  signal: AbortSignal
}

export interface ProjectReady {
  projectFile: string
  /** False when an existing project was reused. */
  created: boolean
}

export function demoPaths(userDataDir: string) {
  const root = join(userDataDir, 'demo')
  return { root, datasetDir: join(root, 'dataset-casme2'), projectFile: join(root, 'demo.mestudio') }
}

/** `<userData>/projects/<folder name>-<8 hex of the real path>.mestudio` */
export function datasetProjectFile(userDataDir: string, realRoot: string): string {
  const hash = createHash('sha256').update(realRoot).digest('hex').slice(0, 8)
  const safe = basename(realRoot).replace(/[^\w.-]+/g, '_') || 'dataset'
  return join(userDataDir, 'projects', `${safe}-${hash}.mestudio`)
}

export async function createDemoProject(options: FirstMinuteOptions & { fresh?: boolean; facePath?: string }): Promise<ProjectReady> {
  const paths = demoPaths(options.userDataDir)
  if (options.fresh) await rm(paths.root, { recursive: true, force: true })
  if (existsSync(paths.projectFile)) return { projectFile: paths.projectFile, created: false }
  await mkdir(paths.root, { recursive: true })
  const samples = DEMO_DATASET.subjects * DEMO_DATASET.samplesPerSubject
  // Generating is most of the work; the import scan is counted as a second pass over the samples.
  const total = samples * 2

  if (!existsSync(paths.datasetDir)) {
    const partial = `${paths.datasetDir}.partial`
    await rm(partial, { recursive: true, force: true })
    options.progress(0, total, 'Generating synthetic clips')
    await generateSyntheticDataset({
      ...DEMO_DATASET,
      outDir: partial,
      signal: options.signal,
      ...(options.facePath ? { facePath: options.facePath } : {}),
      onProgress: (done) => options.progress(done, total, 'Generating synthetic clips'),
    })
    await rename(partial, paths.datasetDir)
  }

  await buildProjectFile(paths.projectFile, DEMO_PROJECT_NAME, async (project) => {
    await importDataset(project, options.media, paths.datasetDir, {
      name: 'Synthetic CASME II (demo)',
      signal: options.signal,
      onProgress: (done) => options.progress(samples + Math.min(done, samples), total, 'Importing into the demo project'),
    })
    project.transaction(() => project.ensureAnnotator(DEMO_CODER, 'coder'))
  })
  options.progress(total, total, 'Demo ready')
  return { projectFile: paths.projectFile, created: true }
}

export async function datasetProject(options: FirstMinuteOptions & { root: string; labels?: string | undefined }): Promise<ProjectReady> {
  let realRoot: string
  try {
    realRoot = await realpath(resolve(options.root))
  } catch {
    throw new StudioError('not-found', `No such folder: ${options.root}`)
  }
  const projectFile = datasetProjectFile(options.userDataDir, realRoot)
  if (existsSync(projectFile)) {
    // The project is reopened as it is: its labels are not swapped for another file on the way.
    if (options.labels !== undefined) {
      throw new StudioError('conflict', `${realRoot} was opened before: its project (${projectFile}) keeps the labels it was imported with. Open it and import the folder into a new project to use ${options.labels}`)
    }
    return { projectFile, created: false }
  }
  await buildProjectFile(projectFile, basename(realRoot), async (project) => {
    await importDataset(project, options.media, realRoot, {
      ...(options.labels === undefined ? {} : { labels: resolve(options.labels) }),
      signal: options.signal,
      onProgress: (done, total, item) => options.progress(done, total, `Scanning ${item}`),
    })
  })
  return { projectFile, created: true }
}

/** Creates the project at `<file>.partial`, fills it, closes it (folding the WAL in) and renames it into place. */
async function buildProjectFile(file: string, name: string, fill: (project: Project) => Promise<void>): Promise<void> {
  const partial = `${file}.partial`
  await mkdir(resolve(file, '..'), { recursive: true })
  await rm(partial, { force: true })
  const project = await Project.open(partial, { create: true, keepBackups: 0 })
  try {
    project.transaction(() => project.setMeta('name', name))
    await fill(project)
  } catch (error) {
    project.close()
    await rm(partial, { force: true })
    throw error
  }
  project.close()
  await rename(partial, file)
}
