import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { MediaRoots, MediaRouter, parseRange } from '../../../src/main/services/media/media-router'

let base: string
let root: string
let router: MediaRouter
const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i))

function get(path: string, headers: Record<string, string> = {}) {
  return router.handle({ path, searchParams: new URLSearchParams(), headers: new Headers(headers), method: 'GET' })
}
const fileRoute = (absolute: string) => `file/${encodeURIComponent(absolute)}`

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'me-media-'))
  root = join(base, 'dataset')
  mkdirSync(join(root, 'sub01'), { recursive: true })
  writeFileSync(join(root, 'sub01', 'img1.jpg'), bytes)
  writeFileSync(join(root, '..dots.jpg'), bytes)
  mkdirSync(join(root, '..hidden'))
  writeFileSync(join(root, '..hidden', 'img2.jpg'), bytes)
  writeFileSync(join(root, 'notes.txt'), 'secret')
  writeFileSync(join(base, 'outside.jpg'), bytes)
  symlinkSync(join(base, 'outside.jpg'), join(root, 'escape.jpg'))
  symlinkSync(join(root, 'sub01', 'img1.jpg'), join(root, 'inside-link.jpg'))
  const roots = new MediaRoots()
  await roots.add(root)
  router = new MediaRouter(roots)
})

describe('media route path containment', () => {
  it('serves a file inside an opened root', async () => {
    const response = await get(fileRoute(join(root, 'sub01', 'img1.jpg')))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes)
  })

  it('serves names that merely start with two dots: containment compares path segments', async () => {
    expect((await get(fileRoute(join(root, '..dots.jpg')))).status).toBe(200)
    expect((await get(fileRoute(join(root, '..hidden', 'img2.jpg')))).status).toBe(200)
    expect((await get(fileRoute(`${root}/..hidden/../../outside.jpg`))).status).toBe(403)
  })

  it('refuses files outside every root, including via ..', async () => {
    expect((await get(fileRoute(join(base, 'outside.jpg')))).status).toBe(403)
    expect((await get(fileRoute(`${root}/sub01/../../outside.jpg`))).status).toBe(403)
    expect((await get(fileRoute(`${root}/../dataset-other/x.jpg`))).status).toBe(403)
  })

  it('refuses doubly-encoded and relative traversal attempts', async () => {
    expect((await get(`file/${encodeURIComponent(encodeURIComponent(join(base, 'outside.jpg')))}`)).status).toBe(403)
    expect((await get(`file/..%2F..%2Foutside.jpg`)).status).toBe(403)
    expect((await get(`file/%E0%A4%A`)).status).toBe(400)
    expect((await get(`file/${encodeURIComponent(root + '/sub01/img1.jpg\0.png')}`)).status).toBe(403)
  })

  it('resolves symlinks before the containment check', async () => {
    expect((await get(fileRoute(join(root, 'escape.jpg')))).status).toBe(403)
    expect((await get(fileRoute(join(root, 'inside-link.jpg')))).status).toBe(200)
  })

  it('serves only allow-listed content types', async () => {
    const response = await get(fileRoute(join(root, 'notes.txt')))
    expect(response.status).toBe(403)
    expect(response.headers.get('x-studio-error')).toBe('forbidden-path')
  })

  it('maps media error codes to HTTP statuses and keeps the code in a header', async () => {
    const { StudioError } = await import('@shared/ipc')
    const cases = [['media/unsupported', 415], ['media/corrupt', 422], ['media/missing-frames', 404]] as const
    for (const [code, status] of cases) {
      router.register(`fail-${code.replace('/', '-')}`, async () => {
        throw new StudioError(code, 'nope')
      })
      const response = await get(`fail-${code.replace('/', '-')}/x`)
      expect(response.status).toBe(status)
      expect(response.headers.get('x-studio-error')).toBe(code)
    }
  })

  it('answers 404 for missing files and unknown routes', async () => {
    expect((await get(fileRoute(join(root, 'missing.jpg')))).status).toBe(404)
    expect((await get('nope/x')).status).toBe(404)
  })
})

describe('HTTP Range', () => {
  it('answers 206 with Content-Range for a byte range', async () => {
    const response = await get(fileRoute(join(root, 'sub01', 'img1.jpg')), { range: 'bytes=10-19' })
    expect(response.status).toBe(206)
    expect(response.headers.get('content-range')).toBe('bytes 10-19/100')
    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
  })

  it('answers 416 for unsatisfiable ranges', async () => {
    const response = await get(fileRoute(join(root, 'sub01', 'img1.jpg')), { range: 'bytes=200-300' })
    expect(response.status).toBe(416)
    expect(response.headers.get('content-range')).toBe('bytes */100')
  })

  it('parses open-ended, suffix and clamped ranges', () => {
    expect(parseRange('bytes=90-', 100)).toEqual([90, 99])
    expect(parseRange('bytes=-5', 100)).toEqual([95, 99])
    expect(parseRange('bytes=0-1000', 100)).toEqual([0, 99])
    expect(parseRange('bytes=5-2', 100)).toBeNull()
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull()
    expect(parseRange('items=0-1', 100)).toBeNull()
  })
})
