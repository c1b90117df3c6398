/**
 * Memory of a codes import, measured in a child process (`codes-import-child.ts`): a project of
 * `codings` samples and a codes file with one coding per sample, written the way a user gets one
 * (`exportCodes` of another project), then imported in a fresh process.
 */
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parseAus } from '@shared/domain/au'
import { exportCodes, type CodesFormat } from '../../src/main/services/annotations/exchange'
import { projectWithSamples } from '../unit/project/project-fixture'

const root = resolve(import.meta.dirname, '../..')

export interface CodesImportMemory {
  imported: number
  unchanged: number
  problems: number
  /** Process RSS in bytes, each after a full GC. */
  rss: { before: number; imported: number; closed: number }
}

/** Writes `<dir>/target.meproj` (`codings` samples, no codes) and `<dir>/codes.<format>` (a coder's coding of each). */
export async function writeCodesImportFixture(dir: string, codings: number, format: Exclude<CodesFormat, 'eaf'>): Promise<{ project: string; codes: string }> {
  const subjects = Math.ceil(codings / 100)
  const perSubject = codings / subjects
  if (!Number.isInteger(perSubject)) throw new Error(`${codings} codings do not split into ${subjects} subjects`)
  const source = await projectWithSamples(join(dir, 'source'), subjects, perSubject)
  source.project.transaction(() => {
    const coder = source.project.createAnnotator('Kim', 'coder')
    source.sampleIds.forEach((sampleId, i) =>
      source.project.putAnnotation(
        { sampleId, annotatorId: coder.id, adjudicated: false },
        { onset: 12, apex: 20 + (i % 7), offset: 41, aus: parseAus('1+2+R12B').value, emotion: 'surprise', objectiveClass: 'VI', confidence: 0.75, status: 'done', notes: `sample ${i}` },
      ),
    )
  })
  const codes = join(dir, `codes.${format}`)
  await exportCodes(source.project, format, codes)
  source.project.close()
  const target = await projectWithSamples(join(dir, 'target'), subjects, perSubject)
  target.project.close()
  return { project: target.project.path, codes }
}

/** Imports `codes` into `project` in a fresh Node process and returns what it measured. */
export async function measureCodesImport(project: string, codes: string): Promise<CodesImportMemory> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', 'tests/helpers/codes-import-child.ts', project, codes], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' },
  })
  return JSON.parse(stdout.trim().split('\n').pop()!) as CodesImportMemory
}
