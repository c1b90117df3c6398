import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPredict } from '../../../src/main/cli/commands/predict'
import { runCli } from '../../../src/main/cli/run'
import { createBatchProject, deterministicSource, fixtureModel } from '../../helpers/batch-fixture'
import { runCliCaptured } from '../../helpers/cli'

const root = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'me-cluster-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const project = join(dir, 'study.meproj')
const models = () => [fixtureModel('model_a'), fixtureModel('model_b', ['happiness', 'disgust', 'surprise', 'others'])]
const quiet = { stdout: () => undefined, isTty: false, env: process.env }
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** `predict` in this process with the deterministic fixture predictor (samples named like `failOn` fail). */
async function predict(values: Record<string, string>, failOn: string | null = 'EP03_02'): Promise<{ code: number; stderr: string }> {
  let stderr = ''
  const source = deterministicSource(models(), failOn ? { failOn } : {})
  const code = await runPredict({ project, model: 'model_a,model_b', ...values }, { ...quiet, stderr: (t) => (stderr += t), cwd: dir }, source)
  return { code, stderr }
}

beforeAll(async () => {
  // '@home' is written as "'@home" (formula neutralisation) and '0 lab' sorts between the two spellings:
  // the merge must order rows by the names, not by their CSV cells.
  ;(await createBatchProject(project, { datasets: ['CASME II', '@home', '0 lab'], subjects: 3, perSubject: 4 })).close()
})

describe('a prediction split into shards and merged', () => {
  it('N tasks share one project without writing it, and the merge equals the single-machine CSV byte for byte', async () => {
    const before = sha(project)
    const shards = await Promise.all([0, 1, 2, 3].map((t) => predict({ shard: `${t + 1}/4`, work: `work/shard-${t}.meproj`, out: `run/shard-${t}.csv` })))
    for (const s of shards) expect(s.code, s.stderr).toBe(0)
    expect(shards[0]!.stderr).toContain('copied the project to work/shard-0.meproj')
    // The project was only read: same bytes, no WAL, no backups; the work copies are gone once their CSV is written.
    expect(sha(project)).toBe(before)
    expect(existsSync(`${project}-wal`)).toBe(false)
    expect(existsSync(`${project}.backups`)).toBe(false)
    for (const t of [0, 1, 2, 3]) expect(existsSync(join(dir, `work/shard-${t}.meproj`))).toBe(false)

    const single = await predict({ out: 'single.csv' })
    expect(single.code, single.stderr).toBe(0)
    const merged = await runCliCaptured(['cluster', 'merge', '--dir', 'run', '--shards', '4', '--out', 'merged.csv'], dir)
    expect(merged.code, merged.stderr).toBe(0)
    expect(merged.stderr).toContain('merged 4 shards: 72 rows')
    const text = readFileSync(join(dir, 'merged.csv'), 'utf8')
    expect(text).toBe(readFileSync(join(dir, 'single.csv'), 'utf8'))
    expect(text.indexOf("\r\n'@home,")).toBeGreaterThan(text.lastIndexOf('\r\n0 lab,'))
    expect(text).toContain('EP03_02') // a failed prediction is a row like the others
  })

  it('a killed task resumes from its work copy, still without writing the project', async () => {
    const before = sha(project)
    const task = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/batch-child.ts', '100', '--project', project, '--model', 'model_a,model_b', '--shard', '2/4', '--work', join(dir, 'work/killed.meproj'), '--out', join(dir, 'killed.csv')], {
        cwd: root,
        env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json', ME_STUDIO_BATCH_COMMIT: '1,0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      return { child, stderr: () => stderr, exit: new Promise<number | null>((r) => child.on('exit', r)) }
    }
    const doomed = task()
    for (const end = Date.now() + 30_000; !/^[1-9]\d*\/\d+ /m.test(doomed.stderr()); ) {
      if (Date.now() > end) throw new Error(`no progress: ${doomed.stderr()}`)
      await new Promise((r) => setTimeout(r, 20))
    }
    doomed.child.kill('SIGKILL')
    expect(await doomed.exit).toBeNull()
    expect(existsSync(join(dir, 'work/killed.meproj'))).toBe(true)

    const rerun = task()
    expect(await rerun.exit, rerun.stderr()).toBe(0)
    expect(rerun.stderr()).not.toContain('copied the project')
    expect(rerun.stderr()).toMatch(/^resuming job \S+ \([1-9]\d* of \d+ done; all, shard 2\/4\)/m)
    expect(existsSync(join(dir, 'work/killed.meproj'))).toBe(false)
    expect(sha(project)).toBe(before)
    const clean = await predict({ shard: '2/4', work: 'work/clean.meproj', out: 'clean.csv' }, null)
    expect(clean.code, clean.stderr).toBe(0)
    expect(readFileSync(join(dir, 'killed.csv'), 'utf8')).toBe(readFileSync(join(dir, 'clean.csv'), 'utf8'))
  })

  it('the merge refuses a missing shard, naming it, and never replaces its output unless asked', async () => {
    mkdirSync(join(dir, 'partial'))
    for (const t of [0, 3]) writeFileSync(join(dir, `partial/shard-${t}.csv`), readFileSync(join(dir, `run/shard-${t}.csv`)))
    const missing = await runCliCaptured(['cluster', 'merge', '--dir', 'partial', '--shards', '4', '--out', 'partial.csv'], dir)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/2 of 4 shards are missing in .*partial: shard-1\.csv, shard-2\.csv\. Re-run those tasks \(1,2; with Slurm `sbatch --array=1,2 <script>`/)
    expect(existsSync(join(dir, 'partial.csv'))).toBe(false)

    const again = await runCliCaptured(['cluster', 'merge', '--dir', 'run', '--shards', '4', '--out', 'merged.csv'], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/merged\.csv already exists: it is replaced only when asked to/)
    expect((await runCliCaptured(['cluster', 'merge', '--dir', 'run', '--shards', '4', '--out', 'merged.csv', '--force'], dir)).code).toBe(0)
  })

  it('the merge refuses shards of another split', async () => {
    // The four files of a 4-way split read as the first four of 5: rows sit in the wrong shard.
    mkdirSync(join(dir, 'five'))
    for (const t of [0, 1, 2, 3, 4]) writeFileSync(join(dir, `five/shard-${t}.csv`), readFileSync(join(dir, `run/shard-${t % 4}.csv`)))
    const wrong = await runCliCaptured(['cluster', 'merge', '--dir', 'five', '--shards', '5', '--out', 'five.csv'], dir)
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toMatch(/shard-\d\.csv holds .+, which is in shard \d of 5 .*another number of shards/)
  })

  it('predict --work refuses a project with changes still in its WAL', async () => {
    const open = await createBatchProject(join(dir, 'open.meproj'))
    try {
      await expect(predict({ project: join(dir, 'open.meproj'), work: 'work/open.meproj' })).rejects.toThrow(
        /has changes not yet written into the file \(open\.meproj-wal\): it is open in ME Studio/,
      )
      expect(existsSync(join(dir, 'work/open.meproj'))).toBe(false)
    } finally {
      open.close()
    }
  })
})

describe('me-studio cluster slurm', () => {
  const args = ['cluster', 'slurm', '--project', 'study.meproj', '--model', 'ststnet-demo,models/x.onnx', '--shards', '4']

  it('writes an executable sbatch script with the array, the resources and the shard command', async () => {
    mkdirSync(join(dir, 'models'), { recursive: true })
    writeFileSync(join(dir, 'models/x.onnx'), '')
    const { code, stderr } = await runCliCaptured(
      [...args, '--out', 'slurm/job.sh', '--cpus-per-task', '2', '--gpus', '1', '--time', '00:30:00', '--partition', 'gpu', '--select', 'dataset=SAMM,coded'],
      dir,
    )
    expect(code, stderr).toBe(0)
    const script = readFileSync(join(dir, 'slurm/job.sh'), 'utf8')
    expect(statSync(join(dir, 'slurm/job.sh')).mode & 0o111).toBeTruthy()
    for (const line of ['#SBATCH --array=0-3', '#SBATCH --cpus-per-task=2', '#SBATCH --gres=gpu:1', '#SBATCH --time=00:30:00', '#SBATCH --partition=gpu', `#SBATCH --chdir=${join(dir, 'slurm')}`]) {
      expect(script).toContain(`${line}\n`)
    }
    expect(script).toContain(`PROJECT=${join(dir, 'study.meproj')}\n`)
    expect(script).toContain(`MODELS=ststnet-demo,${join(dir, 'models/x.onnx')}\n`)
    expect(script).toContain(`--select dataset=SAMM,coded --shard "$((task + 1))/$SHARDS" --work "work/shard-$task.meproj" --out "$csv"`)
    expect(existsSync(join(dir, 'slurm/logs'))).toBe(true)
    execFileSync('bash', ['-n', join(dir, 'slurm/job.sh')])

    const again = await runCliCaptured([...args, '--out', 'slurm/job.sh'], dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/job\.sh already exists: it is replaced only when asked to/)
  })

  it('prints the script without --out, and rejects bad values naming the flag', async () => {
    const printed = await runCliCaptured([...args, '--dir', 'printed'], dir)
    expect(printed.code).toBe(0)
    expect(printed.stdout).toMatch(/^#!\/bin\/bash\n/)
    expect(printed.stdout).not.toContain('--gres')
    for (const [flag, value, message] of [
      ['--time', '30 minutes', /--time must be a Slurm time limit/],
      ['--shards', '0', /--shards must be at least 1/],
      ['--cpus-per-task', 'two', /--cpus-per-task must be an integer/],
      ['--partition', 'a b', /--partition must be a partition name/],
      ['--select', 'colour=red', /select/],
    ] as const) {
      const bad = await runCliCaptured([...args, flag, value], dir)
      expect(bad.code, `${flag} ${value}`).toBe(2)
      expect(bad.stderr).toMatch(message)
    }
    const help = await runCliCaptured(['cluster', 'slurm', '--help'], dir)
    for (const flag of ['--project', '--model', '--shards', '--select', '--dir', '--out', '--force', '--submit', '--cpus-per-task', '--gpus', '--time', '--partition']) {
      expect(help.stdout).toContain(`  ${flag} `)
    }
    const group = await runCliCaptured(['cluster', '--help'], dir)
    expect(group.stdout).toMatch(/cluster slurm .*\n.*cluster merge /)
  })

  it('--submit needs sbatch on PATH', async () => {
    let stderr = ''
    const code = await runCli([...args, '--dir', 'nosbatch', '--submit'], { ...quiet, env: { ...process.env, PATH: '' }, stderr: (t) => (stderr += t), cwd: dir })
    expect(code).toBe(1)
    expect(stderr).toMatch(/sbatch is not on PATH/)
  })

  it('run again, the script submits only the shards without a CSV, then the merge after them', async () => {
    // A recording sbatch (the real one runs in tests/cluster/): it prints a job id and logs its arguments.
    const bin = join(dir, 'bin')
    mkdirSync(bin, { recursive: true })
    writeFileSync(join(bin, 'sbatch'), `#!/bin/bash\necho "$*" >> ${join(dir, 'sbatch.log')}\necho $((RANDOM + 100))\n`)
    chmodSync(join(bin, 'sbatch'), 0o755)
    const { code } = await runCliCaptured([...args.slice(0, -1), '6', '--out', 'resume/job.sh'], dir)
    expect(code).toBe(0)
    for (const t of [1, 4]) writeFileSync(join(dir, `resume/shard-${t}.csv`), 'done')
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` }
    const out = execFileSync('bash', [join(dir, 'resume/job.sh')], { env, encoding: 'utf8' })
    expect(out).toMatch(/^array job (\d+): shards 0,2-3,5 of 0-5\nmerge job \d+ \(after \1 succeeds\)\n$/)
    const calls = readFileSync(join(dir, 'sbatch.log'), 'utf8').trim().split('\n')
    expect(calls[0]).toBe(`--parsable --array=0,2-3,5 ${join(dir, 'resume/job.sh')}`)
    expect(calls[1]).toMatch(/^--parsable --dependency=afterok:\d+ --kill-on-invalid-dep=yes --job-name=me-studio-predict-merge .* --wrap=bash .*resume\/job\.sh merge$/)

    for (const t of [0, 2, 3, 5]) writeFileSync(join(dir, `resume/shard-${t}.csv`), 'done')
    expect(execFileSync('bash', [join(dir, 'resume/job.sh')], { env, encoding: 'utf8' })).toMatch(/^merge job \d+\n$/)
  })
})
