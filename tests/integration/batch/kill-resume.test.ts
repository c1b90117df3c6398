import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Project } from '../../../src/main/services/project/project'
import { createBatchProject } from '../../helpers/batch-fixture'

/**
 * The crash test: `me-studio predict` (with the deterministic fixture predictor) runs in a child
 * process, is SIGKILLed mid-batch, and the same command is run again. It must resume — no row
 * repeated, none lost — and write exactly the CSV an uninterrupted run writes.
 *
 * Finished items are committed in groups (`CommitGroup`). The killed run uses groups of 4 items
 * and no time limit (ME_STUDIO_BATCH_COMMIT=4,600000), so the kill lands between group commits:
 * the project holds whole groups only, the items of the unfinished group are still pending and
 * the resume recomputes exactly those (and the ones never started), each committed once.
 */
const root = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'me-kill-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Child {
  exit: Promise<number | null>
  stderr: () => string
  kill: () => void
}

function predict(project: string, out: string, delayMs: number, env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/batch-child.ts', String(delayMs), '--project', project, '--model', 'model_a,model_b', '--out', out], {
    cwd: root,
    env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return { exit: new Promise((r) => child.on('exit', (code) => r(code))), stderr: () => stderr, kill: () => child.kill('SIGKILL') }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('batch kill and resume', () => {
  it('resumes after SIGKILL without duplicating or losing a row, and writes the uninterrupted CSV', async () => {
    for (const name of ['clean', 'killed']) (await createBatchProject(join(dir, `${name}.meproj`), { datasets: ['CASME II', 'SAMM'] })).close()

    const clean = predict(join(dir, 'clean.meproj'), join(dir, 'clean.csv'), 0)
    expect(await clean.exit, clean.stderr()).toBe(0)

    const GROUP = 4
    const doomed = predict(join(dir, 'killed.meproj'), join(dir, 'killed.csv'), 40, { ME_STUDIO_BATCH_COMMIT: `${GROUP},600000` })
    await until(() => /^(1[0-9]|2[0-9])\/48 /m.test(doomed.stderr()), 30_000)
    doomed.kill()
    expect(await doomed.exit).toBeNull()
    // Items the killed run had finished (its last progress line; it may have finished a few more).
    const printed = Math.max(...[...doomed.stderr().matchAll(/^(\d+)\/48 /gm)].map((m) => Number(m[1])))

    const project = await Project.open(join(dir, 'killed.meproj'), { keepBackups: 0 })
    const db = project.database.db
    const [job] = db.prepare("SELECT id, state, done, total FROM jobs").all() as { id: string; state: string; done: number; total: number }[]
    const committed = (db.prepare('SELECT count(*) AS n FROM predictions').get() as { n: number }).n
    project.close()
    expect(job).toMatchObject({ state: 'running', total: 48 })
    expect(job!.done).toBeGreaterThan(0)
    expect(job!.done).toBeLessThan(48)
    expect(committed).toBe(job!.done)
    // Whole groups only; at most the group being filled (< GROUP items) plus the items that finished
    // after the last progress line are lost, and those are still pending.
    expect(committed % GROUP).toBe(0)
    expect(committed).toBeGreaterThanOrEqual(printed - (GROUP - 1))

    const rerun = predict(join(dir, 'killed.meproj'), join(dir, 'killed.csv'), 0)
    expect(await rerun.exit, rerun.stderr()).toBe(0)
    expect(rerun.stderr()).toContain(`resuming job ${job!.id} (${job!.done} of 48 done`)
    expect(rerun.stderr()).toMatch(/^48\/48 /m)

    const after = await Project.open(join(dir, 'killed.meproj'), { keepBackups: 0 })
    const rows = after.database.db.prepare('SELECT sample_id, model_id, count(*) AS n FROM predictions GROUP BY sample_id, model_id').all() as { n: number }[]
    after.close()
    expect(rows).toHaveLength(48)
    expect(rows.every((r) => r.n === 1)).toBe(true)
    expect(readFileSync(join(dir, 'killed.csv'), 'utf8')).toBe(readFileSync(join(dir, 'clean.csv'), 'utf8'))
  }, 90_000)
})
