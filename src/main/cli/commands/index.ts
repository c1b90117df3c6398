import type { CliCommand } from '../command'
import { flowCommand } from './flow'
import { framesCommand } from './frames'
import { synthCommand } from './synth'
import { infoCommand } from './info'
import { magnifyCommand } from './magnify'
import { spotCommand } from './spot'
import { importCommand } from './import'
import { predictCommand } from './predict'
import { evaluateCommand } from './evaluate'
import { evaluateSpottingCommand } from './evaluate-spotting'
import { exportCommand } from './export'
import { clusterMergeCommand, clusterSlurmCommand } from './cluster'

/** Every `me-studio` sub-command, in the order `--help` lists them. */
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
