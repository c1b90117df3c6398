import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../src/main/services/formats/csv'

/**
 * `me-studio cluster slurm` against a real Slurm (started by tests/cluster/run.sh): a 4-task array
 * over a generated project, one task made to fail, the failure resubmitted, the merge compared
 * with one machine's predictions CSV. The tasks run the built CLI with the bundled STSTNet demo.
 */
const root = resolve(import.meta.dirname, '../..')
const dir = mkdtempSync(join(tmpdir(), 'me-slurm-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const project = join(dir, 'study.meproj')
const run = join(dir, 'run')
const MODEL = 'ststnet-demo'
/** Measurements, different in every run; every other cell must be identical. */
const TIMING_COLUMNS = ['preprocess_ms', 'inference_ms', 'total_ms']

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function sh(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Result {
  const r = spawnSync(command, args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 300_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The built CLI; each caller has its own user data folder, so no run reuses another's cached flows. */
const meStudio = (args: string[], data: string) => sh(process.execPath, [join(root, 'bin/me-studio.mjs'), ...args], { ME_STUDIO_DATA_DIR: join(dir, data) })

async function waitForJobs(ids: string[]): Promise<void> {
  const end = Date.now() + 240_000
  for (;;) {
    const queued = sh('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'])
    if (queued.code === 0 && queued.stdout.trim() === '') return
    if (Date.now() > end) throw new Error(`jobs ${ids.join(', ')} still queued: ${queued.stdout}${queued.stderr}`)
    await new Promise((r) => setTimeout(r, 1000))
  }
}

interface JobRecord {
  JobState: string
  Reason: string
  ArrayTaskId?: string
  StartTime: string
  EndTime: string
}

/** `scontrol show job` records of a job (one per array task). */
function jobs(id: string): JobRecord[] {
  const shown = sh('scontrol', ['-o', 'show', 'job', id])
  expect(shown.code, shown.stderr).toBe(0)
  return shown.stdout
    .trim()
    .split('\n')
    .map((line) => Object.fromEntries(line.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) as unknown as JobRecord)
}

function taskStates(arrayId: string): Record<string, string> {
  return Object.fromEntries(jobs(arrayId).map((j) => [j.ArrayTaskId, j.JobState]))
}

/** Job ids from the submit step's lines `array job N: …` and `merge job M …`. */
function submitted(stdout: string): { array: string | null; merge: string } {
  const merge = /^merge job (\d+)/m.exec(stdout)
  expect(merge, stdout).not.toBeNull()
  return { array: /^array job (\d+):/m.exec(stdout)?.[1] ?? null, merge: merge![1]! }
}

function csvWithoutTimings(file: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parseCsv(readFileSync(file, 'utf8'))
  const keep = header!.map((c, i) => (TIMING_COLUMNS.includes(c) ? -1 : i)).filter((i) => i >= 0)
  return { header: header!, rows: rows.map((r) => keep.map((i) => r[i]!)) }
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const mtime = (file: string) => statSync(file).mtimeMs

beforeAll(() => {
  if (!process.env.SLURM_CONF || sh('sinfo', ['-h']).code !== 0) throw new Error('no Slurm to submit to: run this test through tests/cluster/run.sh')
  const synth = meStudio(['synth', 'dataset', '--subjects', '3', '--samples-per-subject', '3', '--seed', '18'], 'data-setup')
  expect(synth.code, synth.stderr).toBe(0)
  const imported = meStudio(['import', 'dataset', '--project', project], 'data-setup')
  expect(imported.code, imported.stderr).toBe(0)
})

describe('a Slurm job array of me-studio predict --shard', () => {
  it('runs 4 tasks on one project, resubmits a failed one, and merges into the single-machine CSV', async () => {
    // One machine, for reference: the predictions CSV of the whole project.
    const single = meStudio(['predict', '--project', project, '--model', MODEL, '--out', 'single.csv'], 'data-single')
    expect(single.code, single.stderr).toBe(0)
    const before = sha(project)

    // Task 2 fails at its start: a folder stands where its copy of the project goes.
    mkdirSync(join(run, 'work', 'shard-2.meproj'), { recursive: true })
    const first = meStudio(
      ['cluster', 'slurm', '--project', project, '--model', MODEL, '--shards', '4', '--dir', run, '--submit', '--time', '00:10:00', '--cpus-per-task', '1'],
      'data-cluster',
    )
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/^array job \d+: shards 0-3 of 0-3\nmerge job \d+ \(after \d+ succeeds\)\n$/)
    const firstIds = submitted(first.stdout)
    await waitForJobs([firstIds.array!, firstIds.merge])

    expect(taskStates(firstIds.array!)).toEqual({ 0: 'COMPLETED', 1: 'COMPLETED', 2: 'FAILED', 3: 'COMPLETED' })
    expect(jobs(firstIds.merge)[0]).toMatchObject({ JobState: 'CANCELLED', Reason: 'DependencyNeverSatisfied' })
    // The tasks ran at the same time, all reading the one project.
    const ran = jobs(firstIds.array!).filter((j) => j.JobState === 'COMPLETED')
    expect(ran.map((j) => j.StartTime).sort().at(-1)! <= ran.map((j) => j.EndTime).sort()[0]!, JSON.stringify(ran)).toBe(true)
    const failedLog = readdirSync(join(run, 'logs')).find((f) => f.startsWith('shard-2_'))!
    expect(readFileSync(join(run, 'logs', failedLog), 'utf8')).toMatch(/shard-2\.meproj is a folder, not a project file/)
    for (const t of [0, 1, 3]) expect(existsSync(join(run, `shard-${t}.csv`))).toBe(true)
    expect(existsSync(join(run, 'shard-2.csv'))).toBe(false)
    expect(existsSync(join(run, 'predictions.csv'))).toBe(false)

    const refused = meStudio(['cluster', 'merge', '--dir', run, '--shards', '4', '--out', join(dir, 'partial.csv')], 'data-cluster')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/1 of 4 shards is missing in .*: shard-2\.csv\. Re-run that task \(2;/)

    // The cause removed, the script run again submits only shard 2, then the merge.
    rmSync(join(run, 'work', 'shard-2.meproj'), { recursive: true })
    const kept = [0, 1, 3].map((t) => mtime(join(run, `shard-${t}.csv`)))
    const again = sh('bash', [join(run, 'job.sh')], { ME_STUDIO_DATA_DIR: join(dir, 'data-cluster') })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^array job \d+: shards 2 of 0-3\nmerge job \d+ \(after \d+ succeeds\)\n$/)
    const againIds = submitted(again.stdout)
    await waitForJobs([againIds.array!, againIds.merge])
    expect(taskStates(againIds.array!)).toEqual({ 2: 'COMPLETED' })
    expect(jobs(againIds.merge)[0]).toMatchObject({ JobState: 'COMPLETED' })
    expect([0, 1, 3].map((t) => mtime(join(run, `shard-${t}.csv`)))).toEqual(kept)

    // The merged CSV: every sample exactly once, and the single machine's rows in its order.
    const merged = csvWithoutTimings(join(run, 'predictions.csv'))
    const reference = csvWithoutTimings(join(dir, 'single.csv'))
    expect(merged.header).toEqual(reference.header)
    expect(merged.rows).toHaveLength(9)
    expect(new Set(merged.rows.map((r) => r.slice(0, 3).join('/'))).size).toBe(9)
    expect(merged.rows).toEqual(reference.rows)
    expect(merged.rows.every((r) => r[merged.header.indexOf('error_code') - TIMING_COLUMNS.length] === '')).toBe(true)
    expect(readFileSync(join(run, 'evaluation.txt'), 'utf8')).toMatch(/UF1/)

    // The project was only read; the tasks' copies are gone.
    expect(sha(project)).toBe(before)
    expect(readdirSync(join(run, 'work'))).toEqual([])
  })
})
