/**
 * One codes import in a clean process, for the memory test and bench:
 * `node --expose-gc --import tsx tests/helpers/codes-import-child.ts <project> <codes file>`.
 * Prints one JSON line: the import's result counts and the process RSS (bytes) before the project
 * is opened, after the import (project still open) and after it is closed — each after a full GC,
 * so what remains is memory the import kept, not garbage not yet collected.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CodingService } from '../../src/main/services/annotations/coding'
import { importCodes } from '../../src/main/services/annotations/exchange'
import { Project } from '../../src/main/services/project/project'

const [projectPath, codesPath] = process.argv.slice(2)
if (!projectPath || !codesPath) throw new Error('usage: codes-import-child.ts <project> <codes file>')
const gc = (globalThis as { gc?: (options: object) => void }).gc
if (!gc) throw new Error('run with node --expose-gc')

/**
 * RSS after collecting all garbage. A "last resort" collection also gives back the heap pages V8
 * keeps pooled for reuse (≈ 35 MB after this import), as it does under memory pressure.
 */
async function settledRss(): Promise<number> {
  const collect = () => gc!({ type: 'major', execution: 'sync', flavor: 'last-resort' })
  collect()
  await sleep(100) // native finalizers run after the collection
  collect()
  return process.memoryUsage().rss
}

const before = await settledRss()
const project = await Project.open(projectPath, { keepBackups: 0 })
const result = await importCodes(project, new CodingService(project), codesPath)
const imported = await settledRss()
project.close()
const closed = await settledRss()
console.log(JSON.stringify({ imported: result.imported, unchanged: result.unchanged, problems: result.problems.length, rss: { before, imported, closed } }))
