import { COMMANDS } from './commands'
import { EXIT, UsageError, formatHelp, nearest, parseCommandArgs, type CliIo } from './command'
import { StudioError } from '@shared/ipc'

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'Usage: me-studio <command> [options]',
    '',
    'ME Studio command line: the same services as the desktop app, without Electron.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `me-studio <command> --help` for a command\'s options.',
    '',
  ].join('\n')
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    const guess = nearest(name, COMMANDS.map((c) => c.name))
    io.stderr(`me-studio: unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''} (see me-studio --help)\n`)
    return EXIT.usage
  }
  try {
    const { values, positionals } = parseCommandArgs(command, rest)
    if (values.help) {
      io.stdout(formatHelp(command))
      return EXIT.ok
    }
    const [min, max] = command.positionals
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(`expected ${min === max ? min : `${min}–${max}`} argument(s), got ${positionals.length}`)
    }
    return await command.run({ values: values as Record<string, string | boolean | string[] | undefined>, positionals }, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`me-studio ${name}: ${error.message} (usage: me-studio ${name} ${command.usage})\n`)
      return EXIT.usage
    }
    if (error instanceof StudioError) {
      io.stderr(`me-studio ${name}: ${error.message} [${error.code}]\n`)
      return EXIT.failure
    }
    io.stderr(`me-studio ${name}: ${(error as Error).message ?? String(error)}\n`)
    return EXIT.failure
  }
}
