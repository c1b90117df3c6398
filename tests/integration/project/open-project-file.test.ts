// The UI's open path takes what the CLI made (issue #26): a `.meproj` file, or the folder holding
// it, opens that project instead of failing with "Not a folder"; two project files in one folder
// are refused naming both.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'
import { createBatchProject } from '../../helpers/batch-fixture'

const dir = mkdtempSync(join(tmpdir(), 'me-open-project-'))
let studio: Studio | undefined
afterAll(async () => {
  await studio?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

describe('opening a project file from the first screen', () => {
  it('opens the .meproj file and the folder holding it; refuses a folder with two', async () => {
    const folder = join(dir, 'study')
    mkdirSync(folder)
    const file = join(folder, 'study.meproj')
    ;(await createBatchProject(file)).close()
    studio = createStudio({ host: 'cli', userDataDir: join(dir, 'user'), resourcesDir: join(process.cwd(), 'resources') })

    for (const root of [file, folder]) {
      const job = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root })).jobId)
      expect(job.state, JSON.stringify(job.error)).toBe('completed')
      expect(job.result).toEqual({ projectPath: file, created: false })
      const info = await call(studio.registry, 'query:project.current', {})
      expect(info?.path).toBe(file)
      expect(info?.datasets[0]!.sampleCount).toBe(12)
    }

    copyFileSync(file, join(folder, 'copy.meproj'))
    const two = await studio.jobs.wait((await call(studio.registry, 'command:project.open-dataset', { root: folder })).jobId)
    expect(two.state).toBe('failed')
    expect(two.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('holds 2 project files (copy.meproj, study.meproj)') })
  })
})
