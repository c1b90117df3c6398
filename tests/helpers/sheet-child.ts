/**
 * Reads sheet files through the sheet worker in a child process and reports, per file, the
 * refusal code (or the rows read), the time taken and the longest the event loop was blocked
 * meanwhile, then the process's peak RSS (worker included):
 * `node --import tsx tests/helpers/sheet-child.ts <sheets|codes> <file>…`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { runSheetTask } from '../../src/main/workers/sheet-host'

const [task, ...files] = process.argv.slice(2)
// Start the worker first (through tsx here: seconds on a busy machine), so the times are the reads'.
await runSheetTask('sheets', { path: 'no-such-file.csv' }).catch(() => undefined)
for (const file of files) {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const started = performance.now()
  let outcome: { code: string; message: string } | { rows: number }
  try {
    outcome =
      task === 'codes'
        ? { rows: (await runSheetTask('codes', { source: file })).rows.length }
        : { rows: (await runSheetTask('sheets', { path: file })).reduce((n, sheet) => n + sheet.rows.length, 0) }
  } catch (error) {
    const e = error as { code?: string; message: string }
    outcome = { code: e.code ?? 'none', message: e.message }
  }
  const ms = Math.round(performance.now() - started)
  loop.disable()
  process.stdout.write(JSON.stringify({ file, ms, loopBlockedMs: Math.round(loop.max / 1e6), ...outcome }) + '\n')
}
process.stdout.write(JSON.stringify({ maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n')
