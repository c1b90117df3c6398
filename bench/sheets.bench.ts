/**
 * Label-sheet reading: the streaming reader (`src/main/services/formats`) against the exceljs
 * in-memory load it replaced, each in a fresh child process (peak RSS is per process), on
 * CASME II-shaped sheets generated here: a real size (5,000 rows), the row limit (99,999 rows)
 * and the 1.5 M-row bomb of issue #21 (~0.9 MB on disk, ~220 MB of XML), which the streaming
 * reader refuses and exceljs loads whole (the issue measured 53 s and 2.1 GB; pass --old-bomb to
 * measure it here too).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/sheets.bench.ts [--old-bomb]
 *
 * Prints per sheet and reader: time, peak RSS, rows read or the refusal; then old : new ratios.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { SHEET_LIMITS, readSheetFile } from '../src/main/services/formats'
import { writeCasme2Rows } from '../tests/helpers/sheet-bombs'

type Result = { ms: number; rssMb: number; rows?: number; refused?: string }

const [mode, path] = process.argv.slice(2)
if (mode === 'old' || mode === 'new') {
  // Child: read one sheet one way and report.
  const started = performance.now()
  let outcome: { rows: number } | { refused: string }
  if (mode === 'new') {
    try {
      outcome = { rows: (await readSheetFile(path!, SHEET_LIMITS)).reduce((n, s) => n + s.rows.length, 0) }
    } catch (error) {
      outcome = { refused: (error as { code: string }).code }
    }
  } else {
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(readFileSync(path!) as unknown as ArrayBuffer)
    let rows = 0
    for (const sheet of workbook.worksheets) sheet.eachRow({ includeEmpty: true }, () => rows++)
    outcome = { rows }
  }
  const result: Result = { ms: Math.round(performance.now() - started), rssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...outcome }
  process.stdout.write(JSON.stringify(result))
} else {
  const dir = mkdtempSync(join(tmpdir(), 'me-sheets-bench-'))
  const run = (how: 'old' | 'new', file: string): Result =>
    JSON.parse(execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, how, file], { encoding: 'utf8', maxBuffer: 1 << 20 })) as Result
  const show = (r: Result) => `${String(r.ms).padStart(6)} ms ${String(r.rssMb).padStart(5)} MB  ${r.refused ? `refused: ${r.refused}` : `${r.rows} rows`}`
  try {
    const sheets: [string, number][] = [
      ['real (5,000 rows)', 5_000],
      ['at the limit (99,999 rows)', 99_999],
      ['bomb (1,500,000 rows)', 1_500_000],
    ]
    for (const [title, rows] of sheets) {
      const file = join(dir, `${rows}.xlsx`)
      await writeCasme2Rows(file, rows, { numbered: true })
      const fresh = run('new', file)
      console.log(`${title.padEnd(28)} streaming ${show(fresh)}`)
      if (rows === 1_500_000 && !process.argv.includes('--old-bomb')) {
        console.log(`${''.padEnd(28)} exceljs   (not run: --old-bomb; issue #21 measured 53 s, 2.1 GB)`)
        continue
      }
      const old = run('old', file)
      console.log(`${''.padEnd(28)} exceljs   ${show(old)}`)
      console.log(`${''.padEnd(28)} old : new  time ${(old.ms / fresh.ms).toFixed(2)}x, peak RSS ${(old.rssMb / fresh.rssMb).toFixed(2)}x`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
