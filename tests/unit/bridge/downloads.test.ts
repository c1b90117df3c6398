import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBridge, type Bridge } from '../../../src/main/bridge/server'
import { createStudio, type Studio } from '../../../src/main/studio'

// The bridge's download route and the picker's listing query, as hostile clients meet them
// (docs/security.md): the same Host/token/Origin/Sec-Fetch-Site checks as the media route, ids
// the studio handed out for files it wrote, once each, and listings inside the allowed roots.

const TOKEN = 'download-test-token'

describe('bridge downloads and folder listings', () => {
  let studio: Studio
  let bridge: Bridge
  let origin: string
  let cookie: string
  let dir: string

  beforeAll(async () => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'me-download-')))
    mkdirSync(join(dir, 'data', 'CASME2'), { recursive: true })
    mkdirSync(join(dir, 'outside'))
    writeFileSync(join(dir, 'outside', 'secret.txt'), 'secret')
    symlinkSync(join(dir, 'outside'), join(dir, 'data', 'link-out'))
    studio = createStudio({ host: 'bridge', userDataDir: join(dir, 'user'), resourcesDir: join(process.cwd(), 'resources'), browseRoots: [join(dir, 'data')] })
    bridge = await startBridge({ studio, rendererDir: join(process.cwd(), 'out/renderer'), token: TOKEN })
    origin = bridge.url.replace(/\/$/, '')
    const launch = await fetch(bridge.launchUrl, { redirect: 'manual' })
    cookie = (launch.headers.get('set-cookie') ?? '').split(';')[0]!
  })
  afterAll(async () => {
    await bridge.close()
    await studio.dispose()
  })

  const offer = (name: string, text: string) => {
    const path = join(dir, name)
    writeFileSync(path, text)
    return studio.downloads.offer(path)
  }
  const get = (url: string, headers: Record<string, string>) => fetch(new URL(url, bridge.url), { headers })

  it('serves an offered file once, as an attachment, to the studio page', async () => {
    const { url } = offer('codes.csv', 'sample,onset\nEP01_01,241\n')
    const first = await get(url, { cookie, 'sec-fetch-site': 'same-origin' })
    expect(first.status).toBe(200)
    expect(first.headers.get('content-disposition')).toContain('attachment; filename="codes.csv"')
    expect(await first.text()).toBe('sample,onset\nEP01_01,241\n')
    expect((await get(url, { cookie, 'sec-fetch-site': 'same-origin' })).status).toBe(404)
  })

  it('refuses other pages, missing tokens and guessed ids, without spending the id', async () => {
    const { url } = offer('preds.csv', 'x')
    expect((await get(url, {})).status).toBe(401)
    expect((await get(url, { cookie, 'sec-fetch-site': 'same-site' })).status).toBe(403)
    expect((await get(url, { cookie, origin: 'http://127.0.0.1:8888' })).status).toBe(403)
    expect((await get('/download/..%2F..%2Fetc%2Fpasswd', { cookie })).status).toBe(404)
    expect((await get('/download/', { cookie })).status).toBe(404)
    expect((await get(url, { 'x-studio-token': TOKEN })).status).toBe(200)
  })

  it('lists folders inside the roots only', async () => {
    const list = async (path: string) => {
      const response = await fetch(`${bridge.url}api/invoke/query:files.list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studio-token': TOKEN, origin },
        body: JSON.stringify({ path }),
      })
      return (await response.json()) as { ok: boolean; value?: { entries: { name: string }[] }; error?: { code: string } }
    }
    const inside = await list(join(dir, 'data'))
    expect(inside.value?.entries.map((e) => e.name)).toEqual(['CASME2'])
    for (const path of [join(dir, 'outside'), join(dir, 'data', 'link-out'), join(dir, 'data', '..', 'outside'), '/etc']) {
      expect(await list(path), path).toMatchObject({ ok: false, error: { code: 'forbidden-path' } })
    }
  })
})
