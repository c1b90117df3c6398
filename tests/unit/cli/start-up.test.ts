import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../../src/main/cli/commands'

// What the built `me-studio` loads, recorded by a module resolve hook in the real process: start-up
// speed is the bench's business (bench/cli-startup.bench.ts); this checks the cause, that a
// command's heavy dependencies load only when that command runs.
const root = resolve(import.meta.dirname, '../../..')
const HEAVY = /node_modules\/(sharp|@img|onnxruntime-common|better-sqlite3|exceljs|@tensorflow|@vladmandic|zod)\//
/** zod is bundled into the build (electron.vite.config.ts): the chunk that carries it counts as loading zod. */
const bundlesZod = (url: string) => url.startsWith('file:') && url.includes('/out/main/') && readFileSync(fileURLToPath(url), 'utf8').includes('node_modules/zod/')
let dir: string

beforeAll(() => {
  if (!existsSync(join(root, 'out/main/cli.js'))) throw new Error('the CLI is not built: run `npm run build` first')
  dir = mkdtempSync(join(tmpdir(), 'me-cli-start-'))
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { registerHooks } from 'node:module'
import { appendFileSync } from 'node:fs'
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); appendFileSync(process.env.ME_LOADED_LOG, r.url + '\\n'); return r } })
`,
  )
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function loaded(args: string[]): { status: number | null; urls: string[] } {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`)
  writeFileSync(log, '')
  const child = spawnSync(process.execPath, ['--import', join(dir, 'hook.mjs'), join(root, 'bin/me-studio.mjs'), ...args], {
    cwd: dir,
    env: { ...process.env, ME_LOADED_LOG: log, ME_STUDIO_DATA_DIR: join(dir, 'data') },
    encoding: 'utf8',
  })
  return { status: child.status, urls: [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))] }
}

describe('me-studio start-up', () => {
  it('--help, every command\'s --help, unknown commands and flags and wrong argument counts load no package at all', () => {
    const runs = [['--help'], ['bogus'], ['info', '--nope'], ['flow', 'only-one.png'], ['predict', 'stray-arg'], ['cluster'], ['cluster', 'slurmm']]
    for (const command of COMMANDS) runs.push([...command.name.split(' '), '--help'])
    for (const args of runs) {
      const { status, urls } = loaded(args)
      expect(status, args.join(' ')).not.toBeNull()
      expect(urls.some((u) => u.endsWith('/out/main/cli.js')), args.join(' ')).toBe(true)
      expect(urls.filter((u) => u.includes('/node_modules/') || bundlesZod(u)), args.join(' ')).toEqual([])
      expect(urls, args.join(' ')).not.toContain('node:worker_threads')
    }
  })

  it('info reads the providers from the onnxruntime binding alone', () => {
    const { status, urls } = loaded(['info'])
    expect(status).toBe(0)
    expect(urls.some((u) => u.endsWith('/onnxruntime_binding.node'))).toBe(true)
    expect(urls.filter((u) => HEAVY.test(u) || bundlesZod(u) || u.endsWith('onnxruntime-node/dist/index.js'))).toEqual([])
  })

  it('a command loads its own dependencies when it runs', () => {
    const { urls } = loaded(['flow', 'missing-a.png', 'missing-b.png'])
    expect(urls.some((u) => /node_modules\/sharp\//.test(u))).toBe(true)
    expect(urls.filter((u) => /onnxruntime|better-sqlite3|exceljs|node_modules\/zod\//.test(u) || bundlesZod(u))).toEqual([])
  })

  it('the studio leaves exceljs unloaded until a workbook is read or written (≈0.5 s of predict\'s start-up)', () => {
    const { status, urls } = loaded(['predict', '--project', 'missing.meproj', '--model', 'ststnet-demo'])
    expect(status).toBe(1)
    expect(urls.some((u) => /node_modules\/better-sqlite3\//.test(u))).toBe(true)
    expect(urls.filter((u) => /node_modules\/exceljs\//.test(u))).toEqual([])
  })

  it('predict that fails before its batch exits 1, never aborting while its session worker loads onnxruntime-node', () => {
    // The workers start before the project opens; stopped while onnxruntime-node initialised, the
    // session worker used to abort the process (exit 134) about one run in seven, cold caches.
    for (let run = 0; run < 10; run++) {
      const env = { ...process.env, NODE_COMPILE_CACHE: join(dir, `compile-cache-${run}`), ME_STUDIO_DATA_DIR: join(dir, `data-${run}`) }
      const child = spawnSync(process.execPath, [join(root, 'bin/me-studio.mjs'), 'predict', '--project', 'missing.meproj', '--model', 'ststnet-demo'], { cwd: dir, env, encoding: 'utf8' })
      expect(child.status, child.stderr).toBe(1)
    }
  })
})
