/**
 * `me-studio predict` in a child process with the deterministic fixture predictor, for the kill
 * test: `node --import tsx tests/helpers/batch-child.ts <delay-ms> <predict options…>`.
 */
import { parseArgs } from 'node:util'
import { runPredict } from '../../src/main/cli/commands/predict'
import { deterministicSource, fixtureModel } from './batch-fixture'

const [delay, ...argv] = process.argv.slice(2)
const { values } = parseArgs({
  args: argv,
  options: { project: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' }, select: { type: 'string' }, shard: { type: 'string' }, work: { type: 'string' } },
})
const models = String(values.model).split(',').map((id) => fixtureModel(id, id.endsWith('_b') ? ['happiness', 'disgust', 'surprise', 'others'] : undefined))
process.exitCode = await runPredict(values, {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTty: false,
  env: process.env,
  cwd: process.cwd(),
}, deterministicSource(models, { delayMs: Number(delay) }))
