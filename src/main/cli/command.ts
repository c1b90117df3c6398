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
  /**
   * Imports the command's body on demand: `--help`, listings and argument errors need only the
   * fields above, so start-up never loads what another command needs (sharp, onnxruntime, SQLite…).
   */
  load(): Promise<CommandRun>
}

export type CommandRun = (
  args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] },
  io: CliIo,
) => Promise<number>

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
  const options: CliOptions = { ...command.options, help: { type: 'boolean', short: 'h' } }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec(message)?.[1] : undefined
    if (unknown !== undefined) {
      // Node's message explains '--' for positionals; a mistyped flag is far likelier.
      const guess = nearest(unknown.replace(/^-+/, '').split('=')[0]!, Object.keys(options))
      throw new UsageError(`unknown option ${unknown}${guess ? `; did you mean --${guess}?` : ''}`)
    }
    throw new UsageError(message.split('\n')[0] ?? 'bad arguments')
  }
}

/** The candidate closest to `word` by edit distance, when close enough to be a likely typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase())
    if (!best || distance < best.distance) best = { name, distance }
  }
  // A one- or two-letter word is a guess away from almost anything: suggest only what changes less than the word.
  return best && best.distance <= Math.min(Math.max(2, Math.floor(word.length / 3)), word.length - 1) ? best.name : undefined
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = row
  }
  return previous[b.length]!
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
