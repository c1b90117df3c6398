// `npm run bench [-- NAME…] [-- options]`: runs bench/NAME.bench.ts (every bench when no name is
// given) through tsx, one after the other; options after the names go to each bench.
// Benches print their own figures and ratios; see the comment at the top of each file.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const firstOption = args.findIndex((a) => a.startsWith('--'))
const names = firstOption < 0 ? args : args.slice(0, firstOption)
const options = firstOption < 0 ? [] : args.slice(firstOption)
const all = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, ''))

for (const name of names.length > 0 ? names : all) {
  const file = join(root, 'bench', `${name}.bench.ts`)
  if (!existsSync(file)) {
    console.error(`No bench ${name}: choose from ${all.join(', ')}`)
    process.exit(2)
  }
  console.log(`== ${name}`)
  const run = spawnSync(process.execPath, ['--import', 'tsx', file, ...options], { cwd: root, stdio: 'inherit', env: { ...process.env, TSX_TSCONFIG_PATH: 'tsconfig.node.json' } })
  if (run.status !== 0) process.exit(run.status ?? 1)
}
