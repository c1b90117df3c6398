import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import { createBatchProject } from '../../helpers/batch-fixture'

const dir = mkdtempSync(join(tmpdir(), 'me-data-dir-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  let stderr = ''
  const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false, env, cwd: dir })
  return { code, stderr }
}

describe('me-studio data folder', () => {
  it('says where added models and caches go on first use only, and an unknown --model lists the known ids', async () => {
    ;(await createBatchProject(join(dir, 'p.meproj'))).close()
    const env = { ...process.env, ME_STUDIO_DATA_DIR: join(dir, 'data') }
    const argv = ['export', '--project', 'p.meproj', '--what', 'training-set', '--format', 'csv', '--model', 'ststnet', '--out', 'set']
    const first = await run(argv, env)
    expect(first.code).toBe(1)
    expect(first.stderr).toContain(`me-studio keeps added models and caches in ${join(dir, 'data')} (set ME_STUDIO_DATA_DIR to keep them elsewhere)\n`)
    expect(first.stderr).toMatch(/No model with id "ststnet"; known ids: .*\bststnet-demo\b/)
    expect(existsSync(join(dir, 'data'))).toBe(true)
    const second = await run(argv, env)
    expect(second.stderr).not.toContain('keeps added models')
    expect(second.stderr).toMatch(/No model with id "ststnet"; known ids:/)
  })
})
