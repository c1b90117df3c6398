import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCliCaptured } from '../../helpers/cli'
import { COMMANDS } from '../../../src/main/cli/commands'

const run = (...argv: string[]) => runCliCaptured(argv, process.cwd())

describe('me-studio CLI', () => {
  it('info prints real versions, the ffmpeg found and the execution providers', async () => {
    const { code, stdout } = await run('info')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^ME Studio \d+\.\d+\.\d+/)
    expect(stdout).toMatch(/ffmpeg +\S+ at \S+ \(found via [\w@/-]+\)/)
    expect(stdout).toMatch(/providers +.*\bcpu\b/)
  })

  it('info --json is machine-readable', async () => {
    const { code, stdout } = await run('info', '--json')
    expect(code).toBe(0)
    const info = JSON.parse(stdout)
    expect(info.host).toBe('cli')
    expect(info.onnxruntime.providers.some((p: { name: string }) => p.name === 'cpu')).toBe(true)
  })

  it('every command has --help', async () => {
    for (const command of COMMANDS) {
      const { code, stdout } = await run(command.name, '--help')
      expect(code).toBe(0)
      expect(stdout).toContain(`Usage: me-studio ${command.name}`)
    }
    const { code, stdout } = await run('--help')
    expect(code).toBe(0)
    for (const command of COMMANDS) expect(stdout).toContain(command.name)
  })

  it('bad usage exits non-zero with one line on stderr', async () => {
    for (const argv of [['bogus'], ['info', '--nope'], ['info', 'extra-arg'], []]) {
      const { code, stderr } = await run(...argv)
      expect(code).toBe(2)
      if (argv.length) expect(stderr.trim().split('\n')).toHaveLength(1)
    }
  })

  it('synth writes only into a new or empty folder unless --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-synth-cli-'))
    try {
      writeFileSync(join(dir, 'thesis.tex'), 'keep me')
      const refused = await run('synth', dir, '--subjects', '1', '--samples-per-subject', '1')
      expect(refused.code).toBe(1)
      expect(refused.stderr).toMatch(/is not empty: .*\[export\/target-exists\]/)
      expect(readdirSync(dir)).toEqual(['thesis.tex'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('import into a new project leaves no project behind when the import fails; an existing one is kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-import-cli-'))
    try {
      const project = join(dir, 'p.meproj')
      const failed = await run('import', join(dir, 'no-such-dataset'), '--project', project)
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/Not a folder: .*no-such-dataset \[not-found\]/)
      expect(readdirSync(dir)).toEqual([])
      writeFileSync(join(dir, 'not-a-dataset.txt'), '')
      expect((await run('import', join(dir, 'not-a-dataset.txt'), '--project', project)).code).toBe(1)
      expect(readdirSync(dir)).toEqual(['not-a-dataset.txt'])
      // A project that was there before the failed import stays.
      expect((await run('synth', join(dir, 'ds'), '--subjects', '1', '--samples-per-subject', '1')).code).toBe(0)
      expect((await run('import', join(dir, 'ds'), '--project', project)).code).toBe(0)
      expect((await run('import', join(dir, 'no-such-dataset'), '--project', project)).code).toBe(1)
      expect(readdirSync(dir)).toContain('p.meproj')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('names an unknown flag in one line and suggests the nearest valid one', async () => {
    const typo = await run('export', '--projcet', 'p.meproj', '--what', 'annotations', '--out', 'x.csv')
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe('me-studio export: unknown option --projcet; did you mean --project? (usage: me-studio export --project P --what annotations|predictions|training-set --format csv|xlsx|eaf|json --out …)\n')
    expect((await run('predict', '--froce')).stderr).toMatch(/^me-studio predict: unknown option --froce; did you mean --force\? \(usage/)
    expect((await run('evaluate', '--html=report.htm', '--pgn', 'r.png')).stderr).toMatch(/unknown option --pgn; did you mean --png\?/)
    expect((await run('info', '-x')).stderr).toMatch(/^me-studio info: unknown option -x \(usage/)
    const far = await run('info', '--zzzzzzzz')
    expect(far.code).toBe(2)
    expect(far.stderr).toMatch(/^me-studio info: unknown option --zzzzzzzz \(usage/)
    expect((await run('magnfy')).stderr).toBe("me-studio: unknown command 'magnfy'; did you mean 'magnify'? (see me-studio --help)\n")
  })
})
