import { afterAll, describe, expect, it } from 'vitest'
import { measureCodesImport, writeCodesImportFixture } from '../../helpers/codes-import-memory'
import { scratchDir } from '../../unit/project/project-fixture'

const scratch = scratchDir('me-codes-memory-')
afterAll(() => scratch.cleanup())

const MB = 1024 * 1024

describe('codes import memory', () => {
  // Statements prepared per row used to leave ≈ 100 KB of native memory per coding in the process
  // (1 GB for these 10,000), never given back, not even once the project was closed.
  it('gives back what an import of 10,000 codings used (RSS within 50 MB of before, in a clean process)', async () => {
    const { project, codes } = await writeCodesImportFixture(scratch.dir, 10_000, 'csv')
    const measured = await measureCodesImport(project, codes)
    expect(measured).toMatchObject({ imported: 10_000, unchanged: 0, problems: 0 })
    expect((measured.rss.closed - measured.rss.before) / MB).toBeLessThan(50)
    // and while the project stays open
    expect((measured.rss.imported - measured.rss.before) / MB).toBeLessThan(50)
  }, 180_000)
})
