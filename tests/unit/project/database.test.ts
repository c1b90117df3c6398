import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { backupDir } from '../../../src/main/services/project/database'
import { Project } from '../../../src/main/services/project/project'
import { SCHEMA_VERSION } from '../../../src/main/services/project/schema'
import { projectWithSamples, scratchDir } from './project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

function scratch() {
  const s = scratchDir()
  cleanup = s.cleanup
  return s.dir
}

describe('project database', () => {
  it('creates a WAL, foreign-keyed, migrated project file and reopens it', async () => {
    const dir = scratch()
    const { project, sampleIds } = await projectWithSamples(dir)
    const db = project.database.db
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(project.database.schemaVersion).toBe(SCHEMA_VERSION)
    project.close()

    const again = await Project.open(project.path)
    expect(again.listDatasets()).toMatchObject([{ name: 'CASME II', format: 'casme2', sampleCount: 6, subjectCount: 2 }])
    const sample = again.getSample(sampleIds[0]!)
    expect(sample.clip.frameNumbers).toHaveLength(60)
    expect(sample.clip.frameNumbers[0]).toBe(10)
    expect(sample.clip.path).toBe(join(dir, 'CASME2', 'sub01', 'EP01_01'))
    expect(sample.clip.files?.[0]).toBe('img10.jpg')
    again.close()
  })

  it('stores gaps in frame numbers (dropped frames)', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(dir, 1, 1)
    const ds = project.listDatasets()[0]!
    const id = project.insertSample(ds.id, ds.root, {
      subject: 'sub09',
      name: 'gappy',
      clip: { kind: 'frames', path: join(ds.root, 'sub09/gappy'), fps: 30, frameCount: 4, width: 1, height: 1, frameNumbers: [1, 2, 4, 7] },
    })
    expect(project.getSample(id).clip.frameNumbers).toEqual([1, 2, 4, 7])
    project.close()
  })

  it('writes rotating backups on open (a copy of the file, closed cleanly)', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(dir)
    project.close()
    for (let i = 0; i < 4; i++) (await Project.open(project.path, { keepBackups: 3 })).close()
    const backups = readdirSync(backupDir(project.path))
    expect(backups).toHaveLength(3)
    const copy = new Database(join(backupDir(project.path), backups[2]!), { readonly: true })
    expect((copy.prepare('SELECT count(*) AS n FROM samples').get() as { n: number }).n).toBe(6)
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok')
    copy.close()
  })

  it('backs up the committed tail an unclean close left in the -wal', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(dir)
    project.setMeta('after-last-checkpoint', 'kept')
    // The file and its -wal as a crash leaves them: the write is committed, but only in the -wal.
    const crashed = join(dir, 'crashed.meproj')
    copyFileSync(project.path, crashed)
    copyFileSync(`${project.path}-wal`, `${crashed}-wal`)
    project.close()
    expect(statSync(`${crashed}-wal`).size).toBeGreaterThan(0)
    const reopened = await Project.open(crashed)
    const copy = new Database(reopened.database.backupPath!, { readonly: true })
    expect(copy.prepare("SELECT value FROM project_meta WHERE key = 'after-last-checkpoint'").get()).toEqual({ value: 'kept' })
    copy.close()
    reopened.close()
  })

  it('reports a project open elsewhere as project/locked', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(dir)
    await expect(Project.open(project.path)).rejects.toMatchObject({ code: 'project/locked', message: expect.stringMatching(/open in another/) })
    project.close()
    ;(await Project.open(project.path)).close()
  })

  it('reports a damaged or foreign file as project/corrupt', async () => {
    const dir = scratch()
    const garbage = join(dir, 'garbage.meproj')
    writeFileSync(garbage, 'this is not an SQLite database, just text pretending to be one'.repeat(100))
    // A file that never was a project is not called damaged, nor sent to a backups folder that does not exist.
    await expect(Project.open(garbage)).rejects.toMatchObject({ code: 'project/corrupt', message: `${garbage} is not an ME Studio project (not an SQLite database)` })
    // One with backups was a project here before: damaged, restore from them.
    mkdirSync(`${garbage}.backups`)
    await expect(Project.open(garbage)).rejects.toMatchObject({ code: 'project/corrupt', message: expect.stringMatching(/damaged .*Restore the newest copy from .*garbage\.meproj\.backups\//) })

    const empty = join(dir, 'empty.meproj')
    writeFileSync(empty, '')
    await expect(Project.open(empty)).rejects.toMatchObject({ code: 'project/corrupt', message: `The project file ${empty} is damaged (the file is empty). Open another project.` })

    const { project } = await projectWithSamples(dir, 4, 25)
    project.close()
    const bytes = readFileSync(project.path)
    const truncated = join(dir, 'truncated.meproj')
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
    await expect(Project.open(truncated)).rejects.toMatchObject({ code: 'project/corrupt' })

    const foreign = join(dir, 'other.sqlite')
    const other = new Database(foreign)
    other.exec('CREATE TABLE t(x)')
    other.close()
    await expect(Project.open(foreign)).rejects.toMatchObject({ code: 'project/corrupt', message: expect.stringMatching(/not an ME Studio project/) })
  })

  it('refuses files from a newer schema, missing files and existing files on create', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(dir)
    project.database.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    project.close()
    await expect(Project.open(project.path)).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/newer ME Studio/) })
    await expect(Project.open(join(dir, 'none.meproj'))).rejects.toMatchObject({ code: 'not-found' })
    await expect(Project.open(project.path, { create: true })).rejects.toMatchObject({ code: 'conflict' })
    expect(existsSync(project.path)).toBe(true)
  })
})
