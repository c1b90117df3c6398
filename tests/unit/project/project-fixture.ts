import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Project } from '../../../src/main/services/project/project'

/** A scratch folder removed after the test. */
export function scratchDir(prefix = 'me-project-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * A project with one CASME II-like dataset of `subjects × perSubject` image-sequence samples
 * (frames 10…10+frames−1 at 200 fps), created without touching the file system beyond the project file.
 */
export async function projectWithSamples(dir: string, subjects = 2, perSubject = 3, frames = 60): Promise<{ project: Project; sampleIds: number[] }> {
  const project = await Project.open(join(dir, 'study.meproj'), { create: true })
  const root = join(dir, 'CASME2')
  const sampleIds = project.transaction(() => {
    const datasetId = project.insertDataset({ name: 'CASME II', root, format: 'casme2', fps: 200, labelsPath: null, problems: [] })
    const ids: number[] = []
    for (let s = 1; s <= subjects; s++) {
      for (let k = 1; k <= perSubject; k++) {
        const frameNumbers = Array.from({ length: frames }, (_, i) => 10 + i)
        ids.push(
          project.insertSample(datasetId, root, {
            subject: `sub0${s}`,
            name: `EP0${k}_01`,
            clip: {
              kind: 'frames',
              path: join(root, `sub0${s}`, `EP0${k}_01`),
              fps: 200,
              frameCount: frames,
              width: 64,
              height: 48,
              frameNumbers,
              files: frameNumbers.map((n) => `img${n}.jpg`),
            },
          }),
        )
      }
    }
    return ids
  })
  return { project, sampleIds }
}
