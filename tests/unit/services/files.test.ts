import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FolderBrowser } from '../../../src/main/services/files/browse'
import { Downloads } from '../../../src/main/services/files/downloads'

/** A root with a dataset inside, a secret folder beside it, and links that point both ways. */
function layout() {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'me-browse-')))
  const root = join(base, 'home')
  const secret = join(base, 'secret')
  mkdirSync(join(root, 'CASME2', 'sub01'), { recursive: true })
  mkdirSync(join(root, '.cache'))
  mkdirSync(secret)
  writeFileSync(join(secret, 'passwords.txt'), 'hunter2')
  writeFileSync(join(root, 'codes.csv'), 'a,b\n')
  writeFileSync(join(root, 'notes.txt'), 'x')
  writeFileSync(join(root, '.bashrc'), 'x')
  symlinkSync(secret, join(root, 'escape'))
  symlinkSync(join(secret, 'passwords.txt'), join(root, 'escape.txt'))
  symlinkSync(join(root, 'CASME2'), join(root, 'data-link'))
  return { base, root, secret, browser: new FolderBrowser(() => [root]) }
}

describe('FolderBrowser', () => {
  it('lists folders first, then files, without hidden names unless asked', async () => {
    const { root, browser } = layout()
    const listing = await browser.list(root)
    expect(listing.path).toBe(root)
    expect(listing.parent).toBeNull()
    expect(listing.entries.map((e) => `${e.kind}:${e.name}`)).toEqual(['folder:CASME2', 'folder:data-link', 'file:codes.csv', 'file:notes.txt'])
    expect(listing.entries.find((e) => e.name === 'codes.csv')!.size).toBe(4)
    const hidden = await browser.list(root, { hidden: true })
    expect(hidden.entries.map((e) => e.name)).toEqual(expect.arrayContaining(['.cache', '.bashrc']))
  })

  it('filters files by extension but keeps folders', async () => {
    const { root, browser } = layout()
    expect((await browser.list(root, { extensions: ['.CSV'] })).entries.map((e) => e.name)).toEqual(['CASME2', 'data-link', 'codes.csv'])
  })

  it('without a path, answers the roots; inside a root, its parent until the root', async () => {
    const { root, browser } = layout()
    expect(await browser.list(undefined)).toEqual({ path: null, parent: null, roots: [{ path: root, label: 'home' }], entries: [], truncated: false })
    expect((await browser.list(join(root, 'CASME2', 'sub01'))).parent).toBe(join(root, 'CASME2'))
  })

  it('refuses `..`, absolute paths elsewhere, relative paths and NUL bytes', async () => {
    const { root, secret, browser } = layout()
    for (const path of [join(root, '..'), `${root}/../secret`, secret, '/etc', '/', 'home', `${root}\0/x`]) {
      await expect(browser.list(path), path).rejects.toMatchObject({ code: 'forbidden-path' })
    }
  })

  it('neither follows nor lists a symlink that points outside the roots', async () => {
    const { root, browser } = layout()
    await expect(browser.list(join(root, 'escape'))).rejects.toMatchObject({ code: 'forbidden-path' })
    const names = (await browser.list(root)).entries.map((e) => e.name)
    expect(names).not.toContain('escape')
    expect(names).not.toContain('escape.txt')
    // A link that stays inside is followed, and listed as its target's real path.
    expect((await browser.list(join(root, 'data-link'))).path).toBe(join(root, 'CASME2'))
  })

  it('says what is missing or not a folder', async () => {
    const { root, browser } = layout()
    await expect(browser.list(join(root, 'nope'))).rejects.toMatchObject({ code: 'not-found' })
    await expect(browser.list(join(root, 'codes.csv'))).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('Not a folder') })
  })

  it('bounds the entries of one listing', async () => {
    const { root } = layout()
    const many = join(root, 'frames')
    mkdirSync(many)
    for (let i = 0; i < 30; i++) writeFileSync(join(many, `img${i}.jpg`), '')
    const listing = await new FolderBrowser(() => [root]).list(many, { limit: 10 })
    expect(listing.entries).toHaveLength(10)
    expect(listing.truncated).toBe(true)
    expect(listing.entries[2]!.name).toBe('img2.jpg') // numeric order, as a coder reads frame files
  })
})

describe('Downloads', () => {
  it('serves an offered file once, under an unguessable id', () => {
    const downloads = new Downloads()
    const a = downloads.offer('/tmp/x/codes.csv')
    const b = downloads.offer('/tmp/x/codes.csv')
    expect(a.name).toBe('codes.csv')
    expect(a.url).toMatch(/^\/download\/[\w-]{32}$/)
    expect(a.url).not.toBe(b.url)
    const id = a.url.slice('/download/'.length)
    expect(downloads.take(id)).toEqual({ path: '/tmp/x/codes.csv', name: 'codes.csv' })
    expect(downloads.take(id)).toBeNull()
    expect(downloads.take('guess')).toBeNull()
  })

  it('forgets an offer after 15 minutes', () => {
    let now = 0
    const downloads = new Downloads(() => now)
    const id = downloads.offer('/tmp/x/a.csv').url.slice('/download/'.length)
    now = 15 * 60 * 1000 + 1
    expect(downloads.take(id)).toBeNull()
  })

  it('writes a download-only export into a fresh scratch folder, and needs a path otherwise', async () => {
    const downloads = new Downloads()
    const first = await downloads.target(undefined, true, 'codes.csv')
    const second = await downloads.target(undefined, true, 'codes.csv')
    expect(first).toMatch(/codes\.csv$/)
    expect(first).not.toBe(second)
    expect(await downloads.target('/data/out.csv', false, 'codes.csv')).toBe('/data/out.csv')
    await expect(downloads.target(undefined, false, 'codes.csv')).rejects.toMatchObject({ code: 'invalid-input' })
    await downloads.dispose()
  })
})
