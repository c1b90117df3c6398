import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { shardOf } from '@shared/domain/batch'
import { StudioError } from '@shared/ipc/errors'
import { csvHeader, parseCsv, quoteField, restoreNeutralised } from '../formats/csv'

/**
 * The shard contract of a cluster run: the task numbered t (0-based, as Slurm's
 * SLURM_ARRAY_TASK_ID or Kubernetes' JOB_COMPLETION_INDEX) runs `predict --shard (t+1)/N` and
 * writes `shard-<t>.csv`; the merge pools the N files into the CSV one machine would have written.
 */
export function shardFileName(task: number): string {
  return `shard-${task}.csv`
}

/**
 * The export order (store.iteratePredictions) is dataset, subject, sample, then the sample's row id,
 * model and sha256. A sample's rows are all in one shard (the split hashes the sample's identity)
 * and already in that order there, so a stable sort on the identity reproduces it.
 */
const ORDER_COLUMNS = ['dataset', 'subject', 'sample'] as const

/** Code point order = SQLite's BINARY order on UTF-8 (JavaScript's `<` compares UTF-16 units, which differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0
  const ia = a[Symbol.iterator]()
  const ib = b[Symbol.iterator]()
  for (;;) {
    const x = ia.next()
    const y = ib.next()
    if (x.done || y.done) return x.done ? (y.done ? 0 : -1) : 1
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!
    if (d !== 0) return d
  }
}

interface Row {
  key: string[]
  fields: string[]
}

/**
 * Reads `shard-0.csv` … `shard-<N-1>.csv` from `dir` and returns the merged CSV text: one header,
 * every row, in the single-machine export order — byte-identical to what one `predict` over the
 * whole selection writes for the same predictions. Refuses (naming them) when a shard is missing,
 * when the shards' columns differ, or when a row is not in the shard its file claims (files from a
 * split into another N, or from another command).
 */
export async function mergeShards(dir: string, count: number): Promise<{ csv: string; rows: number }> {
  if (!Number.isInteger(count) || count < 1) throw new StudioError('invalid-input', `The shard count must be a positive integer, got ${count}`)
  const files = Array.from({ length: count }, (_, task) => join(dir, shardFileName(task)))
  const missing = files.flatMap((file, task) => (existsSync(file) && statSync(file).isFile() ? [] : [task]))
  if (missing.length > 0) {
    throw new StudioError(
      'not-found',
      `${missing.length} of ${count} shards ${missing.length === 1 ? 'is' : 'are'} missing in ${dir}: ${missing.map(shardFileName).join(', ')}. ` +
        `Re-run ${missing.length === 1 ? 'that task' : 'those tasks'} (${missing.join(',')}; with Slurm \`sbatch --array=${missing.join(',')} <script>\`, or run the generated script again) before merging.`,
      { missing: missing.map((task) => files[task]!) },
    )
  }
  let header: string[] | null = null
  let keyColumns: number[] = []
  const rows: Row[] = []
  for (const [task, file] of files.entries()) {
    let parsed: string[][]
    try {
      parsed = parseCsv(await readFile(file, 'utf8'))
    } catch (error) {
      throw new StudioError('invalid-input', `${shardFileName(task)}: ${(error as Error).message}`)
    }
    const [columns, ...body] = parsed
    if (!columns) throw new StudioError('invalid-input', `${shardFileName(task)} is empty: not a predictions CSV (its task may have been killed while writing; re-run it)`)
    if (header === null) {
      header = columns
      keyColumns = ORDER_COLUMNS.map((name) => columns.indexOf(name))
      const absent = ORDER_COLUMNS.filter((_, i) => keyColumns[i] === -1)
      if (absent.length > 0) throw new StudioError('invalid-input', `${shardFileName(task)} is not a predictions CSV (no ${absent.join(', ')} column)`)
    } else if (columns.join('\u0000') !== header.join('\u0000')) {
      throw new StudioError(
        'invalid-input',
        `${shardFileName(task)} has other columns than ${shardFileName(0)} (different models?): all shards must come from the same predict command`,
      )
    }
    for (const [line, fields] of body.entries()) {
      if (fields.length !== header.length) {
        throw new StudioError('invalid-input', `${shardFileName(task)}, row ${line + 2}: ${fields.length} cells for ${header.length} columns`)
      }
      const key = keyColumns.map((c) => restoreNeutralised(fields[c]!))
      const [dataset, subject, sample] = key as [string, string, string]
      const belongs = shardOf(dataset, subject, sample, count)
      if (belongs !== task + 1) {
        throw new StudioError(
          'conflict',
          `${shardFileName(task)} holds ${dataset}/${subject}/${sample}, which is in shard ${belongs} of ${count} (${shardFileName(belongs - 1)}), not ${task + 1}: ` +
            `the file comes from a split into another number of shards or from another command; re-run its task`,
        )
      }
      rows.push({ key, fields })
    }
  }
  rows.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      const d = compareCodePoints(a.key[i]!, b.key[i]!)
      if (d !== 0) return d
    }
    return 0
  })
  // Re-quoting the parsed cells gives back the written bytes: they were quoted by the same rule.
  const csv = csvHeader(header!) + rows.map((row) => row.fields.map(quoteField).join(',') + '\r\n').join('')
  return { csv, rows: rows.length }
}
