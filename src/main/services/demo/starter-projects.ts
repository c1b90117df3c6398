import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, realpath, rename, rm, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import type { MediaService } from '../media/media-service'
import { importDataset } from '../project/import'
import { Project } from '../project/project'
import { generateSyntheticDataset, type SynthOptions } from '../synth/generate'
import { generateLongDataset, LONG_LABEL_FILE, type LongSynthOptions } from '../synth/long'

/**
 * The empty screen's two ways in, both ending with a project file ready to open:
 *
 * - the demo: a small synthetic CASME II-shaped dataset (known onset, apex, offset, AUs and
 *   emotion per sample) and one CAS(ME)²-shaped long video (for candidate review) generated into
 *   the user data folder and imported into its own project, with one coder profile so a newcomer
 *   can code at once;
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

/**
 * The long video: 20 s at 30 fps, 256×192. Seed 2 draws 2 micro- and 1 macro-expression among a
 * head movement and 3 blinks, which the spotter tells apart (every expression found, the
 * distractors labelled), so the first minute shows candidate review working.
 */
export const DEMO_LONG_VIDEO = {
  subjects: 1,
  videosPerSubject: 1,
  seed: 2,
  width: 256,
  height: 192,
  fps: 30,
  durationSeconds: [20, 20],
} as const satisfies Partial<LongSynthOptions>

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
  return { root, datasetDir: join(root, 'dataset-casme2'), longDir: join(root, 'dataset-casme2-long'), projectFile: join(root, 'demo.mestudio') }
}

/** `<userData>/projects/<folder name>-<8 hex of the real path>.mestudio` */
export function datasetProjectFile(userDataDir: string, realRoot: string): string {
  const hash = createHash('sha256').update(realRoot).digest('hex').slice(0, 8)
  const safe = basename(realRoot).replace(/[^\w.-]+/g, '_') || 'dataset'
  return join(userDataDir, 'projects', `${safe}-${hash}.mestudio`)
}

export async function createDemoProject(options: FirstMinuteOptions & { fresh?: boolean; facesDir?: string }): Promise<ProjectReady> {
  const paths = demoPaths(options.userDataDir)
  if (options.fresh) await rm(paths.root, { recursive: true, force: true })
  if (existsSync(paths.projectFile)) return { projectFile: paths.projectFile, created: false }
  await mkdir(paths.root, { recursive: true })
  const samples = DEMO_DATASET.subjects * DEMO_DATASET.samplesPerSubject
  // Generating is most of the work; the import scan is counted as a second pass over the samples;
  // the long video (600 frames) weighs as much as the short clips together.
  const total = samples * 4

  // Both generators mostly wait on their JPEG encoders, so they run together (about a third faster).
  const generated = { clips: 0, long: 0 }
  const generating = () => options.progress(generated.clips + generated.long * samples, total, 'Generating synthetic clips and a long video')
  generating()
  const face = options.facesDir ? { facesDir: options.facesDir } : {}
  await Promise.all([
    generateOnce(paths.datasetDir, (outDir) =>
      generateSyntheticDataset({
        ...DEMO_DATASET,
        ...face,
        outDir,
        signal: options.signal,
        onProgress: (done) => {
          generated.clips = done
          generating()
        },
      }),
    ),
    generateOnce(paths.longDir, async (outDir) => {
      await generateLongDataset({ ...DEMO_LONG_VIDEO, ...face, durationSeconds: [...DEMO_LONG_VIDEO.durationSeconds], outDir, signal: options.signal })
      generated.long = 1
      generating()
    }),
  ])

  await buildProjectFile(paths.projectFile, DEMO_PROJECT_NAME, async (project) => {
    // The long video first: the studio shows the last dataset on opening, the short clips.
    options.progress(2 * samples, total, 'Importing the long video')
    await importDataset(project, options.media, paths.longDir, {
      name: 'Synthetic CAS(ME)² long video (demo)',
      format: 'casme2-long',
      labels: join(paths.longDir, LONG_LABEL_FILE),
      signal: options.signal,
    })
    await importDataset(project, options.media, paths.datasetDir, {
      name: 'Synthetic CASME II (demo)',
      signal: options.signal,
      onProgress: (done) => options.progress(3 * samples + Math.min(done, samples), total, 'Importing into the demo project'),
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
    throw new StudioError('not-found', `No such folder or project file: ${options.root}`)
  }
  const made = await projectFileAt(realRoot)
  if (made) {
    if (options.labels !== undefined) throw new StudioError('invalid-input', `${made} is a project: labels are imported into a project with a dataset folder, not with the project file`)
    return { projectFile: made, created: false }
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

/** Project files: the CLI's documented `.meproj` and the studio's own `.mestudio` (any name works with `--project`). */
const PROJECT_SUFFIXES = ['.meproj', '.mestudio']

/**
 * A project file the CLI (or another studio) made, given as the `.meproj` file itself or as the
 * folder holding exactly one: the open path takes both, as `--project` does. Null otherwise (a
 * dataset folder).
 */
async function projectFileAt(path: string): Promise<string | null> {
  const isProject = (name: string): boolean => PROJECT_SUFFIXES.some((suffix) => name.toLowerCase().endsWith(suffix))
  const info = await stat(path)
  if (!info.isDirectory()) {
    if (isProject(path)) return path
    throw new StudioError('invalid-input', `${path} is a file: open a dataset folder or a project file (${PROJECT_SUFFIXES.join(', ')})`)
  }
  const projects = (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && isProject(e.name))
  if (projects.length > 1) {
    throw new StudioError('conflict', `${path} holds ${projects.length} project files (${projects.map((e) => e.name).join(', ')}): open one of them`)
  }
  return projects.length === 1 ? join(path, projects[0]!.name) : null
}

/** Generates a dataset into `<dir>.partial`, renamed to `dir` when complete; an existing `dir` is kept. */
async function generateOnce(dir: string, generate: (outDir: string) => Promise<unknown>): Promise<void> {
  if (existsSync(dir)) return
  const partial = `${dir}.partial`
  await rm(partial, { recursive: true, force: true })
  await generate(partial)
  await rename(partial, dir)
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
