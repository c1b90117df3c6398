import { COMMANDS } from './commands'
import { EXIT, UsageError, formatHelp, nearest, parseCommandArgs, type CliCommand, type CliIo } from './command'
// The errors module alone: the contract's index pulls in zod, which would double start-up.
import { StudioError } from '@shared/ipc/errors'

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

/** The `me-studio <group>` listing of a group's sub-commands (`cluster slurm`, `cluster merge`). */
function groupHelp(group: string, commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return [
    `Usage: me-studio ${group} <command> [options]`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`me-studio ${group} <command> --help\` for a command's options.`,
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
  // A command's name may be two words (`cluster slurm`): the first word names its group.
  const command = COMMANDS.find((c) => c.name === name) ?? COMMANDS.find((c) => c.name === `${name} ${rest[0]}`)
  if (command && command.name !== name) rest.shift()
  if (!command) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${name} `))
    if (group.length > 0 && (rest[0] === undefined || rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout(groupHelp(name, group))
      return rest[0] === undefined ? EXIT.usage : EXIT.ok
    }
    if (group.length > 0) {
      const names = group.map((c) => c.name.slice(name.length + 1))
      const guess = nearest(rest[0]!, names)
      io.stderr(`me-studio ${name}: unknown command '${rest[0]}'${guess ? `; did you mean '${guess}'?` : ''} (one of: ${names.join(', ')})\n`)
    } else {
      const guess = nearest(name, [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))])
      io.stderr(`me-studio: unknown command '${name}'${guess ? `; did you mean '${guess}'?` : ''} (see me-studio --help)\n`)
    }
    return EXIT.usage
  }
  const label = command.name
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
    const run = await command.load()
    return await run({ values: values as Record<string, string | boolean | string[] | undefined>, positionals }, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`me-studio ${label}: ${error.message} (usage: me-studio ${label} ${command.usage})\n`)
      return EXIT.usage
    }
    if (error instanceof StudioError) {
      io.stderr(`me-studio ${label}: ${error.message} [${error.code}]\n`)
      return EXIT.failure
    }
    io.stderr(`me-studio ${label}: ${(error as Error).message ?? String(error)}\n`)
    return EXIT.failure
  }
}
