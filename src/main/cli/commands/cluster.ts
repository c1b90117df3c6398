/**
 * `me-studio cluster slurm` writes (and with --submit, submits) a Slurm job array that runs
 * `predict --shard` over a project; `me-studio cluster merge` pools the shards' CSVs. The shard
 * contract (task t → `--shard (t+1)/N` → shard-t.csv) is the scheduler-neutral part.
 */
import { spawn } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import { chmod, mkdir } from 'node:fs/promises'
import { basename, delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseSelection } from '@shared/domain/batch'
import { StudioError } from '@shared/ipc/errors'
import { mergeShards } from '../../services/cluster/shards'
import { sbatchValue, slurmScript } from '../../services/cluster/slurm'
import { checkExportFile } from '../../services/export/target'
import { writeFileAtomic } from '../../services/fs-atomic'
import { EXIT, UsageError, intOption, stringOption, type CliIo, type CommandRun } from '../command'

/** The command line that runs this ME Studio elsewhere: this Node binary and the package's bin/me-studio.mjs. */
function meStudioCommand(): string[] {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const bin = join(dir, 'bin', 'me-studio.mjs')
    if (existsSync(bin)) return [process.execPath, bin]
    if (dirname(dir) === dir) throw new StudioError('not-found', 'Cannot find bin/me-studio.mjs above the CLI: run me-studio from its package')
  }
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** Slurm's --time forms: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]]. */
const SLURM_TIME = /^(\d+-\d+(:\d{1,2}){0,2}|\d+(:\d{1,2}){0,2})$/
const PARTITIONS = /^[\w.-]+(,[\w.-]+)*$/

function positiveInt(values: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const n = intOption(values, name, fallback)
  if (n < min) throw new UsageError(`--${name} must be ${min === 0 ? 'zero or more' : `at least ${min}`}, got ${n}`)
  return n
}

/** Runs `bash script` (its submit step) and passes its lines through; resolves to its exit code. */
function submitScript(script: string, io: CliIo): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [script], { cwd: dirname(script), env: io.env, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout.setEncoding('utf8').on('data', (t: string) => io.stdout(t))
    child.stderr.setEncoding('utf8').on('data', (t: string) => io.stderr(t))
    child.on('error', reject)
    child.on('close', (code) => resolvePromise(code ?? EXIT.failure))
  })
}

export const runSlurm: CommandRun = async ({ values }, io) => {
  const project = resolve(io.cwd, stringOption(values, 'project', true))
  const models = stringOption(values, 'model', true)
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => (/[\\/]|\.onnx$/.test(m) ? resolve(io.cwd, m) : m))
  if (models.length === 0) throw new UsageError('--model names no model')
  if (stringOption(values, 'shards') === undefined) throw new UsageError('missing required option --shards')
  const shards = positiveInt(values, 'shards', 1, 1)
  const cpusPerTask = positiveInt(values, 'cpus-per-task', 1, 1)
  const gpus = positiveInt(values, 'gpus', 0, 0)
  const time = stringOption(values, 'time') ?? null
  if (time !== null && !SLURM_TIME.test(time)) throw new UsageError(`--time must be a Slurm time limit (HH:MM:SS, D-HH:MM, minutes…), got ${time}`)
  const partition = stringOption(values, 'partition') ?? null
  if (partition !== null && !PARTITIONS.test(partition)) throw new UsageError(`--partition must be a partition name (or a comma list), got ${partition}`)
  const select = stringOption(values, 'select') ?? null
  try {
    if (select !== null) parseSelection(select)
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const outText = stringOption(values, 'out')
  const submit = values.submit === true
  const runDir = resolve(io.cwd, stringOption(values, 'dir') ?? (outText ? dirname(outText) : '.'))
  const scriptPath = outText ? resolve(io.cwd, outText) : submit ? join(runDir, 'job.sh') : null
  try {
    sbatchValue(runDir)
  } catch (error) {
    throw new UsageError(`--dir: ${(error as Error).message}`)
  }
  if (!existsSync(project)) throw new StudioError('not-found', `No project file at ${project}`)
  for (const m of models) if (m.startsWith('/') && !existsSync(m)) throw new StudioError('not-found', `No model file or folder at ${m}`)
  if (submit && !onPath('sbatch', io.env)) throw new StudioError('not-found', 'sbatch is not on PATH: submit from a machine with Slurm\'s commands (a login node), or leave out --submit')
  if (scriptPath) await checkExportFile(scriptPath, ['.sh', '.sbatch', '.slurm'], values.force === true)

  const script = slurmScript({
    project, models, select, shards, runDir, cpusPerTask, gpus, time, partition,
    meStudio: meStudioCommand(),
    scriptName: scriptPath ? basename(scriptPath) : 'job.sh',
  })
  // Slurm opens each task's log before the task runs: the folder must exist even for a plain `sbatch job.sh`.
  await mkdir(join(runDir, 'logs'), { recursive: true })
  await mkdir(join(runDir, 'work'), { recursive: true })
  if (!scriptPath) {
    io.stdout(script)
    return EXIT.ok
  }
  await writeFileAtomic(scriptPath, script, { overwrite: values.force === true })
  await chmod(scriptPath, 0o755)
  io.stderr(`wrote ${scriptPath}: ${shards} task${shards === 1 ? '' : 's'}, run folder ${runDir}\n`)
  if (!submit) {
    io.stderr(`submit it with: bash ${scriptPath}\n`)
    return EXIT.ok
  }
  const code = await submitScript(scriptPath, io)
  return code === 0 ? EXIT.ok : EXIT.failure
}

export const runMerge: CommandRun = async ({ values }, io) => {
  if (stringOption(values, 'shards') === undefined) throw new UsageError('missing required option --shards')
  const shards = positiveInt(values, 'shards', 1, 1)
  const out = resolve(io.cwd, stringOption(values, 'out', true))
  const dir = resolve(io.cwd, stringOption(values, 'dir') ?? '.')
  const overwrite = values.force === true
  await checkExportFile(out, ['.csv'], overwrite)
  const { csv, rows } = await mergeShards(dir, shards)
  await writeFileAtomic(out, csv, { overwrite })
  io.stderr(`merged ${shards} shard${shards === 1 ? '' : 's'}: ${rows} rows to ${out}\n`)
  return EXIT.ok
}
