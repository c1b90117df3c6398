import { expect, type Page } from '@playwright/test'
import { BRIDGE_CLIENT_HEADER } from '../../src/shared/ipc/envelope'
import { E2E_TOKEN } from '../../playwright.config'

/** Calls a contract channel through the bridge with the page's session cookie; returns the envelope's value. */
export async function invoke(page: Page, channel: string, input: unknown = {}): Promise<unknown> {
  const response = await page.request.post(`/api/invoke/${encodeURIComponent(channel)}`, { data: input, headers: { [BRIDGE_CLIENT_HEADER.name]: BRIDGE_CLIENT_HEADER.value } })
  return ((await response.json()) as { value?: unknown }).value
}

/**
 * Loads the app with no project open (the bridge is shared by every spec, so an earlier spec may
 * have left one open); `beforeReload` runs in between, e.g. to drop the generated demo.
 */
export async function startWithoutProject(page: Page, beforeReload?: () => Promise<void>): Promise<void> {
  await page.goto(`/?token=${E2E_TOKEN}`)
  await invoke(page, 'command:project.close')
  await beforeReload?.()
  await page.reload()
}

/** From the empty screen, opens the demo project and waits for its dataset browser. */
export async function openDemo(page: Page): Promise<void> {
  await page.getByTestId('open-demo').click()
  await expect(page.getByTestId('dataset-browser')).toBeVisible({ timeout: 180_000 })
}

/**
 * Takes a screenshot for the docs. The committed `docs/screenshots/` are rewritten only by
 * `npm run screenshots` (ME_STUDIO_SCREENSHOTS=1), so a test run leaves the tree clean.
 */
export async function docScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const folder = process.env.ME_STUDIO_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-results/screenshots'
  await page.screenshot({ path: `${folder}/${name}`, ...options })
}
