import { parseArgs, type ParseArgsConfig } from 'node:util'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Whether stderr is a terminal (progress lines are redrawn in place only then). */
  isTty: boolean
  env: NodeJS.ProcessEnv
  cwd: string
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>

export interface CliCommand<O extends CliOptions = CliOptions> {
  name: string
  summary: string
  /** Usage line after `me-studio <name>`, e.g. `<dataset-dir> --project <file>`. */
  usage: string
  /** Longer help text: options, output format, examples. */
  help: string
  options: O
  /** Positional arguments: [min, max]. */
  positionals: [number, number]
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }, io: CliIo): Promise<number>
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** Thrown for bad usage: printed as one line plus a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export function defineCommand<O extends CliOptions>(command: CliCommand<O>): CliCommand<O> {
  return command
}

export function parseCommandArgs(command: CliCommand, argv: string[]) {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    return parsed
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? 'bad arguments')
  }
}

export function formatHelp(command: CliCommand): string {
  return `Usage: me-studio ${command.name} ${command.usage}\n\n${command.summary}\n\n${command.help.trim()}\n`
}

/** Reads a string option, throwing a usage error when it is required and missing. */
export function stringOption(values: Record<string, unknown>, name: string, required: true): string
export function stringOption(values: Record<string, unknown>, name: string, required?: false): string | undefined
export function stringOption(values: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = values[name]
  if (typeof value === 'string' && value.length > 0) return value
  if (required) throw new UsageError(`missing required option --${name}`)
  return undefined
}

/** Parses an integer option (or throws a usage error naming the option). */
export function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (typeof raw !== 'string' || !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${String(raw)}`)
  return n
}
