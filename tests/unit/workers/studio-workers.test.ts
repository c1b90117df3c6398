import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createStudio } from '../../../src/main/studio'
import { startStudioWorkers } from '../../../src/main/workers/studio-workers'

const dir = mkdtempSync(join(tmpdir(), 'me-studio-workers-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('workers started ahead of the studio', () => {
  it('are the studio\'s own: it runs its tasks on them and stops them when disposed', async () => {
    const workers = startStudioWorkers({ visionWorkers: 1 })
    const studio = createStudio({ host: 'cli', userDataDir: join(dir, 'user'), resourcesDir: join(process.cwd(), 'resources'), workers })
    expect(studio.vision).toBe(workers.vision)
    const flow = { width: 2, height: 1, u: new Float32Array([3, 0]), v: new Float32Array([0, 4]) }
    const strain = await studio.vision.run('strain', { flow })
    expect(strain.width).toBe(2)
    await studio.dispose()
    await expect(workers.vision.run('strain', { flow })).rejects.toThrow(/destroyed/)
  }, 60_000)
})
