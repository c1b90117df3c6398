import { expect, test, type Locator, type Page } from '@playwright/test'
import { invoke, openDemo, startWithoutProject } from './bridge'

/**
 * #27 item 5: the studio at 200 % zoom. A 1280 px wide window at 200 % lays out 640 CSS px; the
 * page is drawn at device scale 2 as Chromium's zoom draws it. Every view reflows to one column:
 * Coding's frame and player controls are visible and usable, Adjudication covers no control, the
 * status bar does not clip, and neither Inspect after Run nor any other view scrolls sideways.
 */
test.use({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 })

test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

type Box = { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

/** Controls under `root` that another element covers at their centre once scrolled into view. */
async function coveredControls(page: Page, root: Locator): Promise<string[]> {
  const controls = root.locator('button:visible, input:visible, select:visible, [role=slider]:visible, [tabindex="0"]:visible')
  const covered: string[] = []
  for (const control of await controls.all()) {
    await control.scrollIntoViewIfNeeded()
    const hit = await control.evaluate((el) => {
      const r = el.getBoundingClientRect()
      const at = el.ownerDocument.elementFromPoint(r.x + r.width / 2, r.y + Math.min(r.height / 2, 6))
      return at === null || el === at || el.contains(at) || at.contains(el) ? null : `${el.outerHTML.slice(0, 80)} under ${at.outerHTML.slice(0, 80)}`
    })
    if (hit) covered.push(hit)
  }
  return covered
}

/** Whether an element (or the page) scrolls sideways. */
const scrollsSideways = (locator: Locator) => locator.evaluate((el) => el.scrollWidth > el.clientWidth + 1)

test('at 200 % zoom every view reflows into 640 CSS px: the frame and player controls usable, nothing covered or clipped', async ({ page }) => {
  test.setTimeout(300_000)
  await startWithoutProject(page)
  await openDemo(page)
  await page.keyboard.press('n')
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-index', '0')

  // Coding: the frame is drawn large enough to code from, and the player controls sit clear of the timeline.
  const canvas = (await page.getByTestId('frame-canvas').boundingBox())!
  expect(canvas.height).toBeGreaterThan(100)
  expect(canvas.width).toBeGreaterThan(100)
  const timeline = (await page.getByTestId('timeline').boundingBox())!
  for (const id of ['play', 'speed', 'loop', 'view-compare', 'view-difference', 'jump-frame']) {
    const box = (await page.getByTestId(id).boundingBox())!
    expect(overlaps(box, timeline), `${id} overlaps the timeline`).toBe(false)
    expect(overlaps(box, canvas), `${id} overlaps the frame`).toBe(false)
  }
  expect(await coveredControls(page, page.getByTestId('frame-player'))).toEqual([])
  await page.getByTestId('play').click()
  await page.getByTestId('play').click()
  expect(await scrollsSideways(page.locator('html'))).toBe(false)

  // The status bar shows all it says.
  expect(await scrollsSideways(page.getByTestId('status-bar'))).toBe(false)

  // Adjudication: no control under another element.
  await page.getByTestId('view-tab-adjudication').click()
  await expect(page.getByTestId('adjudication-view')).toBeVisible()
  expect(await coveredControls(page, page.getByTestId('adjudication-view'))).toEqual([])
  expect(await scrollsSideways(page.locator('html'))).toBe(false)

  // Agreement, Motion and Batch reflow too: the page never scrolls sideways.
  for (const view of ['agreement', 'motion', 'batch']) {
    await page.getByTestId(`view-tab-${view}`).click()
    await expect(page.getByTestId(`${view}-view`)).toBeVisible()
    expect(await scrollsSideways(page.locator('html')), `${view} scrolls sideways`).toBe(false)
  }

  // Inspect after Run: no sideways scrolling.
  await page.getByTestId('view-tab-inspect').click()
  await expect(page.getByTestId('inspect-view')).toBeVisible()
  await page.getByTestId('run-inference').click()
  await expect(page.getByTestId('prediction-panel')).toBeVisible({ timeout: 180_000 })
  expect(await scrollsSideways(page.getByTestId('inspect-view'))).toBe(false)
  expect(await scrollsSideways(page.locator('html'))).toBe(false)
})
