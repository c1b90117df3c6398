/**
 * Sheet bombs against the real reading path (the sheet worker), in a child process whose peak RSS
 * and event-loop blocking are measured: each is refused with its specific code, in seconds, the
 * process stays within a few hundred MB (before the limits, the 1.5 M-row sheet took 53 s and
 * 2.1 GB) and its event loop keeps running. Real sheets of real sizes still read. The bounds are
 * generous safety bounds, not benchmarks.
 */
import { execFile } from 'node:child_process'
import { truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eafText, writeCasme2Rows, writeCsvRows, writeHugeCell, writeText } from '../../helpers/sheet-bombs'
import { scratchDir } from '../../unit/project/project-fixture'

const scratch = scratchDir('me-sheet-bombs-')
afterAll(() => scratch.cleanup())
const file = (name: string) => join(scratch.dir, name)

/** Per file, what the child saw: a refusal code or the rows read, and the time. */
type Outcome = { file: string; ms: number; loopBlockedMs: number; code?: string; message?: string; rows?: number }

async function readInChild(task: 'sheets' | 'codes', files: string[]): Promise<{ outcomes: Map<string, Outcome>; maxRssMb: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tests/helpers/sheet-child.ts', task, ...files.map(file)], { maxBuffer: 1 << 20 })
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Outcome & { maxRssMb?: number })
  const outcomes = new Map(lines.filter((l) => l.file).map((l) => [l.file.slice(scratch.dir.length + 1), l]))
  return { outcomes, maxRssMb: lines.at(-1)!.maxRssMb! }
}

/** Peak RSS allowed for a process that has read every bomb: a few hundred MB. */
const MAX_RSS_MB = 400
/** Each refusal (the worker already started), with room for a loaded CI machine. */
const MAX_MS = 10_000
/** The child's event loop, which in the app serves the UI, while the worker reads (a 1.5 s read in-thread would block it 1.5 s). */
const MAX_LOOP_BLOCKED_MS = 500

beforeAll(async () => {
  // 1.5 M CASME II rows: ~220 MB of XML in a ~0.9 MB file; the same with its size declared as 100 KB.
  await writeCasme2Rows(file('rows.xlsx'), 1_500_000)
  await writeCasme2Rows(file('rows-lying.xlsx'), 1_500_000, { declaredSheetSize: 100_000 })
  // One shared string of 100 M characters (~0.1 MB compressed), and one of 40 M within the size limit.
  await writeHugeCell(file('cell.xlsx'), 100_000_000)
  await writeHugeCell(file('cell-under-size.xlsx'), 40_000_000)
  // 1.5 M csv rows (~55 MB, under the size limit); a 1 GB csv (sparse: no disk used).
  writeCsvRows(file('rows.csv'), 1_500_000)
  writeFileSync(file('huge.csv'), '')
  truncateSync(file('huge.csv'), 1 << 30)
  // An .eaf whose annotation value is 40 M characters.
  writeText(file('huge-value.eaf'), eafText({ valueChars: 40_000_000 }))
  // Real sizes: CAS(ME)³-like 5,000 rows, and the most rows a sheet may have.
  await writeCasme2Rows(file('real.xlsx'), 5_000)
  await writeCasme2Rows(file('at-limit.xlsx'), 99_999)
  writeCsvRows(file('real.csv'), 5_000)
  writeText(file('codes.eaf'), eafText({}))
}, 120_000)

describe('sheet bombs', () => {
  it('label sheets: refused with the specific code, in seconds, in bounded memory; real sheets read', async () => {
    const { outcomes, maxRssMb } = await readInChild('sheets', ['rows.xlsx', 'rows-lying.xlsx', 'cell.xlsx', 'cell-under-size.xlsx', 'rows.csv', 'huge.csv', 'real.xlsx', 'at-limit.xlsx', 'real.csv'])
    const expected: Record<string, RegExp> = {
      'rows.xlsx': /^sheet\/too-large .*more than 64 MiB \(the limit\)/,
      'rows-lying.xlsx': /^sheet\/too-many-rows .*more than 100,000 rows \(the limit\)/,
      'cell.xlsx': /^sheet\/too-large .*more than 64 MiB/,
      'cell-under-size.xlsx': /^sheet\/cell-too-long .*32,767 characters/,
      'rows.csv': /^sheet\/too-many-rows .*more than 100,000 rows/,
      'huge.csv': /^sheet\/too-large .*larger than 64 MiB/,
    }
    for (const [name, pattern] of Object.entries(expected)) {
      const outcome = outcomes.get(name)!
      expect(`${outcome.code} ${outcome.message}`, name).toMatch(pattern)
      expect(outcome.ms, name).toBeLessThan(MAX_MS)
    }
    for (const outcome of outcomes.values()) expect(outcome.loopBlockedMs, outcome.file).toBeLessThan(MAX_LOOP_BLOCKED_MS)
    expect(outcomes.get('real.xlsx')!.rows).toBe(5_001)
    expect(outcomes.get('at-limit.xlsx')!.rows).toBe(100_000)
    expect(outcomes.get('real.csv')!.rows).toBe(5_001)
    expect(maxRssMb).toBeLessThan(MAX_RSS_MB)
  })

  it('codes files: the same through codes import', async () => {
    const { outcomes, maxRssMb } = await readInChild('codes', ['rows.xlsx', 'rows-lying.xlsx', 'huge-value.eaf', 'rows.csv', 'codes.eaf'])
    expect(outcomes.get('rows.xlsx')!.code).toBe('sheet/too-large')
    expect(outcomes.get('rows-lying.xlsx')!.code).toBe('sheet/too-many-rows')
    expect(outcomes.get('huge-value.eaf')!.code).toBe('sheet/cell-too-long')
    expect(outcomes.get('rows.csv')!.code).toBe('sheet/too-many-rows')
    for (const outcome of outcomes.values()) {
      expect(outcome.ms, outcome.file).toBeLessThan(MAX_MS)
      expect(outcome.loopBlockedMs, outcome.file).toBeLessThan(MAX_LOOP_BLOCKED_MS)
    }
    expect(outcomes.get('codes.eaf')!.rows).toBe(1)
    expect(maxRssMb).toBeLessThan(MAX_RSS_MB)
  })
})
