import { existsSync, mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { E2E_TOKEN } from '../../playwright.config'
import { invoke, startWithoutProject } from './bridge'

// A page served from another port of 127.0.0.1 (a notebook, a dev server, a malicious local page)
// is *same-site* with the bridge, so Chromium sends it the bridge's cookie. Whatever it tries, it
// must neither change the studio nor read its event stream (docs/security.md).

let evil: Server
let evilOrigin: string

test.beforeAll(async () => {
  evil = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    const url = new URL(req.url ?? '/', 'http://evil.invalid')
    if (url.pathname !== '/form') return void res.end('<!doctype html><title>evil</title><p>nothing to see</p>')
    // A text/plain form whose single field reads as the JSON body of a project.create.
    const body = JSON.stringify({ path: url.searchParams.get('target'), name: 'csrf' })
    const attr = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;')
    res.end(
      `<!doctype html><form method="POST" enctype="text/plain" action="${attr(url.searchParams.get('action') ?? '')}">` +
        `<input name="${attr(body.slice(0, -1) + ',"x":"')}" value="${attr('"}')}"></form><script>document.forms[0].submit()</script>`,
    )
  })
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve))
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
})

test.afterAll(async () => {
  await new Promise<void>((resolve) => evil.close(() => resolve()))
})

test('a page on another port of 127.0.0.1 cannot create a project (fetch, form) or open the event stream', async ({ page, baseURL }) => {
  await startWithoutProject(page)
  const target = join(mkdtempSync(join(tmpdir(), 'me-csrf-e2e-')), 'csrf.meproj')
  const bridge = baseURL!

  await page.goto(`${evilOrigin}/`)
  const outcome = await page.evaluate(
    async ({ bridge, target }) => {
      const body = JSON.stringify({ path: target, name: 'csrf' })
      const results: Record<string, string> = {}
      // 1. The reproduction of the issue: a no-cors POST with the cookie and a text/plain body.
      try {
        const response = await fetch(`${bridge}/api/invoke/command:project.create`, { method: 'POST', mode: 'no-cors', credentials: 'include', body })
        results.noCors = `sent (${response.type})`
      } catch (error) {
        results.noCors = `failed: ${String(error)}`
      }
      // 2. A CORS request with the JSON content type and the client header needs a preflight.
      try {
        const response = await fetch(`${bridge}/api/invoke/command:project.create`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json', 'x-studio-client': 'me-studio' },
          body,
        })
        results.cors = `status ${response.status}`
      } catch {
        results.cors = 'blocked'
      }
      // 3. WebSocket hijacking: the event stream would tell the page everything the studio does.
      results.socket = await new Promise<string>((resolve) => {
        const socket = new WebSocket(`${bridge.replace('http', 'ws')}/api/events`)
        socket.onopen = () => resolve('open')
        socket.onerror = () => resolve('refused')
        setTimeout(() => resolve('timeout'), 5000)
      })
      return results
    },
    { bridge, target },
  )

  expect(outcome.noCors).toMatch(/^sent|^failed/)
  expect(outcome.cors).toBe('blocked')
  expect(outcome.socket).toBe('refused')
  expect(existsSync(target)).toBe(false)

  // A form post navigates the page to the bridge: refused before the body is read.
  const action = `${bridge}/api/invoke/command:project.create`
  const [formResponse] = await Promise.all([
    page.waitForResponse(action),
    page.goto(`${evilOrigin}/form?target=${encodeURIComponent(target)}&action=${encodeURIComponent(action)}`),
  ])
  expect(formResponse.status()).toBe(403)
  expect(existsSync(target)).toBe(false)

  // The studio's own page still works with the same cookie.
  await page.goto(`/?token=${E2E_TOKEN}`)
  await expect(page.getByTestId('empty-state')).toBeVisible()
  expect(await invoke(page, 'query:system.ping', { echo: 'own page' })).toEqual({ pong: 'own page' })
})
