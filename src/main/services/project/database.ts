import { existsSync, statSync } from 'node:fs'
import { copyFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { createRequire } from 'node:module'
import type BetterSqlite3 from 'better-sqlite3'
import { StudioError } from '@shared/ipc/errors'
import { writeFileAtomic } from '../fs-atomic'
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema'

// Through `require`, as sharp (services/media/sharp.ts): Node's ESM loader would lex the CommonJS entry first.
const Database: typeof BetterSqlite3 = createRequire(import.meta.url)('better-sqlite3')

/**
 * One project = one SQLite file, opened by one process at a time (`copyProject` below reads it
 * for any number of processes at once, without opening it).
 *
 * - WAL journal: a commit appends to the -wal file; a process killed mid-write leaves at most an
 *   uncommitted tail that SQLite discards on the next open, so nothing committed is lost.
 * - synchronous=FULL: the WAL is fsynced at every commit, so committed work also survives a
 *   power cut or OS crash (NORMAL would only survive a process crash). Writes here happen at
 *   human speed (one transaction per user action) or in one big transaction (imports), so the
 *   extra fsync is never felt.
 * - locking_mode=EXCLUSIVE, taken at open: the OS-level lock is the project lock. A second
 *   process (or a second open in this one) gets SQLITE_BUSY → `project/locked`; the lock dies
 *   with the process, so there are no stale lock files after a crash. (In this mode the WAL
 *   index lives in heap memory instead of a -shm file.)
 * - foreign_keys=ON, STRICT tables, `PRAGMA application_id` marks the file as ours.
 */

export interface OpenProjectOptions {
  /** Create a new project file; fails with `conflict` if the file exists. */
  create?: boolean
  /** Backups kept in `<file>.backups/` (rotating, newest kept); 0 disables them. Default 5. */
  keepBackups?: number
  /** Lock wait before reporting `project/locked`, ms. Default 250. */
  lockTimeoutMs?: number
}

export const DEFAULT_KEEP_BACKUPS = 5

export class ProjectDatabase {
  private readonly statements = new Map<string, BetterSqlite3.Statement>()

  private constructor(
    readonly path: string,
    readonly db: BetterSqlite3.Database,
    /** The backup written when this project was opened, if any. */
    readonly backupPath: string | null,
  ) {}

  static async open(file: string, options: OpenProjectOptions = {}): Promise<ProjectDatabase> {
    const path = resolve(file)
    const exists = existsSync(path)
    if (options.create && exists) throw new StudioError('conflict', `A file already exists at ${path}`)
    if (!options.create && !exists) throw new StudioError('not-found', `No project file at ${path}`)
    if (exists && statSync(path).isDirectory()) throw new StudioError('invalid-input', `${path} is a folder, not a project file`)
    if (options.create) await mkdir(dirname(path), { recursive: true })

    let db: BetterSqlite3.Database
    try {
      db = new Database(path, { timeout: options.lockTimeoutMs ?? 250 })
    } catch (error) {
      throw translateSqliteError(error, path)
    }
    try {
      // Order matters: EXCLUSIVE before WAL keeps the WAL index out of shared memory.
      db.pragma('locking_mode = EXCLUSIVE')
      db.exec('BEGIN EXCLUSIVE; COMMIT')
      checkIsProject(db, path, Boolean(options.create))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      db.pragma('foreign_keys = ON')
      if (exists && !options.create) {
        const check = db.pragma('quick_check', { simple: true })
        if (check !== 'ok') throw corrupt(path, `integrity check failed: ${String(check)}`)
      }
      const keep = options.keepBackups ?? DEFAULT_KEEP_BACKUPS
      const backupPath = exists && !options.create && keep > 0 ? await writeBackup(db, path, keep) : null
      migrate(db)
      if (options.create) db.prepare('INSERT INTO project_meta(key, value) VALUES (?, ?)').run('created_at', new Date().toISOString())
      return new ProjectDatabase(path, db, backupPath)
    } catch (error) {
      db.close()
      throw translateSqliteError(error, path)
    }
  }

  /**
   * The prepared statement for `sql`, compiled once per open project. better-sqlite3 finalizes a
   * statement only when the garbage collector collects it — seldom, its JS object is small — so
   * statements prepared per row piled up ≈ 5 KB of native memory each (a 10,000-coding import:
   * +1 GB RSS), which glibc kept in the process even once freed. For fixed SQL only (the cache
   * keeps every text it is given), never with `pluck`/`raw`/`expand` (they would change the
   * statement for every caller), and not for `iterate` (a statement runs one query at a time).
   */
  statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  /** Runs `work` as one transaction (BEGIN IMMEDIATE … COMMIT; rolled back if it throws). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate()
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number
  }

  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }))
  }

  close(): void {
    if (!this.db.open) return
    // Fold the WAL back into the main file so the project is one self-contained file at rest.
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.statements.clear()
    this.db.close()
  }
}

/**
 * Copies a project to `target` (atomically) without opening it through SQLite: one plain read of
 * the file, no lock taken, nothing written beside it — so any number of processes (the tasks of a
 * cluster array, on several machines, over a network filesystem where SQLite's locks and WAL
 * shared memory are unreliable) can copy one project at the same time, even while it is open in the
 * app. The bytes are checked in memory (an ME Studio project, a schema this version reads, SQLite's
 * quick_check) before the copy appears, so a torn read never becomes a work file.
 *
 * Refused while the file has a non-empty `-wal` beside it: those are committed transactions not
 * yet folded into the file (the app has it open, or it was not closed cleanly), which a plain read
 * would miss.
 */
export async function copyProject(source: string, target: string): Promise<void> {
  const path = resolve(source)
  if (!existsSync(path)) throw new StudioError('not-found', `No project file at ${path}`)
  if (statSync(path).isDirectory()) throw new StudioError('invalid-input', `${path} is a folder, not a project file`)
  const wal = `${path}-wal`
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new StudioError(
      'project/locked',
      `The project ${path} has changes not yet written into the file (${basename(wal)}): it is open in ME Studio or was not closed cleanly. Close it there (or open and close it once), then start again.`,
      { path },
    )
  }
  const bytes = await readFile(path)
  // SQLite cannot deserialize a WAL-mode image: check a copy marked as a rollback-journal file.
  const image = Buffer.from(bytes)
  if (image.length >= 20) image.fill(1, 18, 20)
  let db: BetterSqlite3.Database
  try {
    db = new Database(image, { readonly: true })
  } catch (error) {
    throw translateSqliteError(error, path)
  }
  try {
    checkIsProject(db, path, false)
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) throw newerSchema(version)
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw corrupt(path, `integrity check failed: ${String(check)}`)
  } catch (error) {
    throw translateSqliteError(error, path)
  } finally {
    db.close()
  }
  await writeFileAtomic(resolve(target), bytes)
}

function checkIsProject(db: BetterSqlite3.Database, path: string, creating: boolean): void {
  const appId = db.pragma('application_id', { simple: true }) as number
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n
  if (creating) {
    db.pragma(`application_id = ${APPLICATION_ID}`)
    return
  }
  // An empty file is what a crashed non-transactional save leaves behind: never re-initialise it silently.
  if (appId === 0 && tables === 0) throw corrupt(path, 'the file is empty')
  if (appId !== APPLICATION_ID) {
    throw new StudioError('project/corrupt', `${path} is an SQLite database but not an ME Studio project`)
  }
}

function migrate(db: BetterSqlite3.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number
  if (current > SCHEMA_VERSION) throw newerSchema(current)
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue
    db.transaction(() => {
      db.exec(migration.sql)
      db.pragma(`user_version = ${migration.version}`)
    }).immediate()
  }
}

function newerSchema(version: number): StudioError {
  return new StudioError(
    'conflict',
    `This project was saved by a newer ME Studio (schema ${version}; this version reads up to ${SCHEMA_VERSION}). Update ME Studio to open it.`,
  )
}

export function backupDir(projectPath: string): string {
  return `${projectPath}.backups`
}

/**
 * Copies the project into `<file>.backups/`, keeping the newest `keep`. Called with the exclusive
 * lock held, so nothing else writes meanwhile: when the -wal holds nothing, the file alone is the
 * whole project and a plain file copy is the backup (a 25 MB project: ~20 ms, where SQLite's
 * online backup API took ~300 ms of the open). After an unclean close the committed tail still
 * sits in the -wal, and only SQLite's backup API folds it in.
 */
async function writeBackup(db: BetterSqlite3.Database, path: string, keep: number): Promise<string> {
  const dir = backupDir(path)
  await mkdir(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const target = join(dir, `${basename(path)}.${stamp}.bak`)
  const wal = `${path}-wal`
  if (existsSync(wal) && statSync(wal).size > 0) {
    await db.backup(target)
  } else {
    const partial = `${target}.partial`
    await copyFile(path, partial)
    await rename(partial, target)
  }
  const backups = (await readdir(dir)).filter((f) => f.startsWith(`${basename(path)}.`) && f.endsWith('.bak')).sort()
  for (const old of backups.slice(0, Math.max(0, backups.length - keep))) await rm(join(dir, old), { force: true })
  return target
}

/** A damaged project: the advice names the backups folder only where there is one. */
function corrupt(path: string, detail: string): StudioError {
  const backups = backupDir(path)
  if (!existsSync(backups)) return new StudioError('project/corrupt', `The project file ${path} is damaged (${detail}). Open another project.`, { path })
  return new StudioError('project/corrupt', `The project file ${path} is damaged (${detail}). Restore the newest copy from ${backups}/ or open another project.`, { path, backups })
}

function translateSqliteError(error: unknown, path: string): unknown {
  if (error instanceof StudioError) return error
  const code = (error as { code?: string }).code ?? ''
  const message = (error as Error).message ?? String(error)
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new StudioError(
      'project/locked',
      `The project ${path} is open in another ME Studio window or process. Close it there first (the lock is released when that process ends).`,
      { path },
    )
  }
  // Not even an SQLite file: a project that was opened here before (it has backups) was damaged; anything else never was one.
  if (code === 'SQLITE_NOTADB' && !existsSync(backupDir(path))) return new StudioError('project/corrupt', `${path} is not an ME Studio project (not an SQLite database)`, { path })
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return corrupt(path, message)
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code.startsWith('SQLITE_IOERR')) {
    return new StudioError('internal', `Cannot open ${path}: ${message}`, { path, sqlite: code })
  }
  return error
}
