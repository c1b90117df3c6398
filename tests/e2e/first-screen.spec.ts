import { expect, test } from '@playwright/test'
import { E2E_TOKEN } from '../../playwright.config'
import { docScreenshot } from './bridge'

test('the first screen renders with real backend facts in the status bar', async ({ page }) => {
  const complaints: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') complaints.push(message.text())
  })
  page.on('response', (response) => {
    if (response.status() >= 400) complaints.push(`${response.status()} ${response.url()}`)
  })
  await page.goto(`/?token=${E2E_TOKEN}`)
  await expect(page.getByTestId('empty-state')).toBeVisible()
  await expect(page.getByTestId('open-dataset')).toBeVisible()
  await expect(page.getByTestId('open-demo')).toBeVisible()
  await expect(page.getByTestId('status-ffmpeg')).toHaveText(/^ffmpeg \S+ \((setting|env|ffmpeg-static|@ffmpeg-installer\/ffmpeg|path)\)$/)
  // Providers are listed once a prediction has run on them; the bundled ones are in the tooltip.
  // The bridge is shared by every spec: an earlier one may already have run a prediction.
  await expect(page.getByTestId('status-ort')).toContainText(/providers: (none ran yet|[a-z]+(, [a-z]+)*)$/)
  await expect(page.getByTestId('status-ort')).toHaveAttribute('title', /bundled: .*\bcpu\b/)
  await expect(page.getByTestId('status-host')).toHaveText('browser bridge')
  await docScreenshot(page, 'first-screen.png')
  // No CSP complaint, no 404 (favicon), no error on a plain page load.
  expect(complaints).toEqual([])
})

test('the bridge refuses a request without the token', async ({ request, baseURL }) => {
  const response = await request.post(`${baseURL}/api/invoke/query:system.info`, { data: {} })
  expect(response.status()).toBe(401)
  const page = await request.get(`${baseURL}/`)
  expect(page.status()).toBe(401)
})
