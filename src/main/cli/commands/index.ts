import type { CliCommand } from '../command'
import { flowCommand } from './flow'
import { infoCommand } from './info'

/** Every `me-studio` sub-command, in the order `--help` lists them. */
export const COMMANDS: CliCommand[] = [
  infoCommand,
  flowCommand,
]
