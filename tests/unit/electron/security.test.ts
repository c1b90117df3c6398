import { describe, expect, it, vi } from 'vitest'
import { RENDERER_CSP } from '../../../src/main/csp'
import { APP_ENTRY, PRIVILEGED_SCHEMES, handleMediaScheme } from '../../../src/main/electron/protocols'
import { MediaRoots, MediaRouter } from '../../../src/main/services/media/media-router'
import { isAllowedExternalUrl, isAllowedNavigation } from '../../../src/main/electron/security/navigation'
import { denyAllPermissions } from '../../../src/main/electron/security/permissions'
import { isTrustedSender } from '../../../src/main/electron/security/sender'
import { guardWebContents } from '../../../src/main/electron/security/web-contents'
import { secureWebPreferences } from '../../../src/main/electron/security/web-preferences'

vi.mock('electron', () => ({}))

describe('window security settings', () => {
  it('pins sandbox, context isolation, no node integration and web security', () => {
    const prefs = secureWebPreferences('/app/preload.cjs')
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    })
  })

  it('has a CSP without unsafe-eval and without inline scripts', () => {
    const script = RENDERER_CSP.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src'))
    expect(script).toBe("script-src 'self'")
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval/)
    expect(RENDERER_CSP).toMatch(/object-src 'none'/)
  })

  it('registers app:// and me-media:// as secure standard schemes', () => {
    expect(PRIVILEGED_SCHEMES.map((s) => s.scheme)).toEqual(['app', 'me-media'])
    for (const s of PRIVILEGED_SCHEMES) expect(s.privileges).toMatchObject({ standard: true, secure: true })
  })
})

describe('me-media:// protocol', () => {
  it('is fetchable from the app origin only (CORS), exposing the frame-layout headers', async () => {
    expect(PRIVILEGED_SCHEMES.find((s) => s.scheme === 'me-media')?.privileges).toMatchObject({ corsEnabled: true, stream: true })
    const router = new MediaRouter(new MediaRoots())
    router.register('probe', async () => new Response('x', { headers: { 'x-frame-width': '640' } }))
    let handler: ((request: Request) => Promise<Response>) | undefined
    handleMediaScheme({ handle: (_scheme: string, fn: typeof handler) => (handler = fn) } as never, router, APP_ENTRY)
    const response = await handler!(new Request('me-media://media/probe/1'))
    expect(response.headers.get('access-control-allow-origin')).toBe('app://studio')
    expect(response.headers.get('access-control-expose-headers')).toContain('x-frame-width')
    expect(response.headers.get('x-frame-width')).toBe('640')
  })
})

describe('navigation guard', () => {
  it('allows the app entry and its own pages only', () => {
    expect(isAllowedNavigation('app://studio/index.html#/project', APP_ENTRY)).toBe(true)
    expect(isAllowedNavigation('app://other/index.html', APP_ENTRY)).toBe(false)
    expect(isAllowedNavigation('https://example.com/', APP_ENTRY)).toBe(false)
    expect(isAllowedNavigation('file:///etc/passwd', APP_ENTRY)).toBe(false)
    expect(isAllowedNavigation('http://localhost:5173/x', 'http://localhost:5173/')).toBe(true)
    expect(isAllowedNavigation('http://localhost:5174/x', 'http://localhost:5173/')).toBe(false)
    expect(isAllowedNavigation('http://user:pw@localhost:5173/', 'http://localhost:5173/')).toBe(false)
    expect(isAllowedNavigation('not a url', APP_ENTRY)).toBe(false)
  })

  it('opens only plain https links externally', () => {
    expect(isAllowedExternalUrl('https://doi.org/10.1109/x')).toBe(true)
    expect(isAllowedExternalUrl('http://example.com')).toBe(false)
    expect(isAllowedExternalUrl('file:///etc/passwd')).toBe(false)
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false)
    expect(isAllowedExternalUrl('https://user:pw@example.com')).toBe(false)
  })

  it('blocks will-navigate/will-redirect away from the app, denies windows, forwards https only', () => {
    const appHandlers: Record<string, (...args: unknown[]) => void> = {}
    const app = { on: (name: string, fn: (...args: unknown[]) => void) => (appHandlers[name] = fn) }
    const openExternal = vi.fn(async () => undefined)
    guardWebContents(app as never, { openExternal } as never, APP_ENTRY)

    const contentsHandlers: Record<string, (event: { preventDefault(): void }, url: string) => void> = {}
    let windowOpen: ((details: { url: string }) => { action: string }) | undefined
    const contents = {
      on: (name: string, fn: (event: { preventDefault(): void }, url: string) => void) => (contentsHandlers[name] = fn),
      setWindowOpenHandler: (fn: typeof windowOpen) => (windowOpen = fn),
    }
    appHandlers['web-contents-created']!({}, contents)

    for (const name of ['will-navigate', 'will-redirect']) {
      const blocked = { preventDefault: vi.fn() }
      contentsHandlers[name]!(blocked, 'https://evil.example/')
      expect(blocked.preventDefault).toHaveBeenCalled()
      const allowed = { preventDefault: vi.fn() }
      contentsHandlers[name]!(allowed, 'app://studio/index.html')
      expect(allowed.preventDefault).not.toHaveBeenCalled()
    }
    const webview = { preventDefault: vi.fn() }
    contentsHandlers['will-attach-webview']!(webview, '')
    expect(webview.preventDefault).toHaveBeenCalled()

    expect(windowOpen!({ url: 'https://doi.org/x' })).toEqual({ action: 'deny' })
    expect(windowOpen!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(openExternal).toHaveBeenCalledTimes(1)
    expect(openExternal).toHaveBeenCalledWith('https://doi.org/x')
  })
})

describe('IPC sender validation', () => {
  it('trusts only the top-level app frame', () => {
    expect(isTrustedSender({ url: APP_ENTRY, parent: null }, APP_ENTRY)).toBe(true)
    expect(isTrustedSender({ url: APP_ENTRY, parent: {} }, APP_ENTRY)).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example', parent: null }, APP_ENTRY)).toBe(false)
    expect(isTrustedSender(null, APP_ENTRY)).toBe(false)
  })
})

describe('permissions', () => {
  it('denies every permission request and check', () => {
    let request: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined
    let check: (() => boolean) | undefined
    const session = {
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
    }
    denyAllPermissions(session as never)
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read']) {
      const callback = vi.fn()
      request!({}, permission, callback)
      expect(callback).toHaveBeenCalledWith(false)
    }
    expect(check!()).toBe(false)
  })
})
