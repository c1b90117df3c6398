import type { CliCommand } from '../command'
import { clusterMergeCommand, clusterSlurmCommand } from './cluster.command'
import { evaluateCommand } from './evaluate.command'
import { evaluateSpottingCommand } from './evaluate-spotting.command'
import { exportCommand } from './export.command'
import { flowCommand } from './flow.command'
import { framesCommand } from './frames.command'
import { importCommand } from './import.command'
import { infoCommand } from './info.command'
import { magnifyCommand } from './magnify.command'
import { predictCommand } from './predict.command'
import { spotCommand } from './spot.command'
import { synthCommand } from './synth.command'

/**
 * Every `me-studio` sub-command, in the order `--help` lists them. Each `<name>.command.ts` holds
 * only the cheap part (name, summary, usage, help, options) and a `load()` that imports its body
 * (`<name>.ts`, exporting `run`) when the command actually runs; a new command adds both files and
 * one line here.
 */
export const COMMANDS: CliCommand[] = [
  infoCommand,
  flowCommand,
  magnifyCommand,
  spotCommand,
  synthCommand,
  framesCommand,
  importCommand,
  predictCommand,
  evaluateCommand,
  evaluateSpottingCommand,
  exportCommand,
  clusterSlurmCommand,
  clusterMergeCommand,
]
