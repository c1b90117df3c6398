import { expect, test } from '@playwright/test'
import { seriousViolations } from './axe'
import { invoke, openDemo, startWithoutProject } from './bridge'

/**
 * Accessibility checks of #27 on the real app: axe-core (WCAG 2.x A/AA rules) on the first screen
 * and the coding view with the demo open, failing on any critical or serious violation; and the
 * keyboard rules it fixed: the focused control keeps its keys, the `?` overlay is modal, the view
 * tabs are a tab list. `keyboard.spec.ts` walks the whole workflow by keyboard with axe on every view.
 */

// The bridge is shared by every spec of the run: leave it with no project open, as found.
test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

test('axe finds no critical or serious violation on the first screen or in Coding, and the keyboard rules hold', async ({ page }) => {
  test.setTimeout(300_000)
  await startWithoutProject(page)
  await expect(page.getByTestId('empty-state')).toBeVisible()
  expect(await seriousViolations(page)).toEqual([])

  await openDemo(page)
  await page.keyboard.press('n')
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-index', '0')
  expect(await seriousViolations(page)).toEqual([])

  // The view tabs are one tab list: ← / → move between views.
  const tabs = page.getByRole('tablist', { name: 'Workspace views' })
  await expect(tabs.getByRole('tab')).not.toHaveCount(0)
  await tabs.getByRole('tab', { selected: true }).focus()
  const first = await tabs.getByRole('tab', { selected: true }).textContent()
  await page.keyboard.press('ArrowRight')
  await expect(tabs.getByRole('tab', { selected: true })).not.toHaveText(first!)
  await expect(tabs.getByRole('tab', { selected: true })).toBeFocused()
  await page.keyboard.press('ArrowLeft')
  await expect(tabs.getByRole('tab', { selected: true })).toHaveText(first!)

  // Space on the focused "coding finished" box ticks it; it does not start playback.
  const frame = await page.getByTestId('frame-number').textContent()
  const done = page.getByTestId('status-done')
  await done.focus()
  const wasDone = await done.isChecked()
  await page.keyboard.press('Space')
  await expect(done).toBeChecked({ checked: !wasDone })
  await page.waitForTimeout(300)
  await expect(page.getByTestId('frame-number')).toHaveText(frame!)
  await page.keyboard.press('Space')
  await expect(done).toBeChecked({ checked: wasDone })

  // The ? overlay is modal: focus moves in, O does not mark an onset behind it, Esc gives focus back.
  const onset = await page.getByTestId('mark-value-onset').textContent()
  await page.keyboard.press('?')
  const overlay = page.getByTestId('keymap-overlay')
  await expect(overlay).toBeVisible()
  expect(await overlay.evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true)
  expect(await seriousViolations(page)).toEqual([])
  await page.keyboard.press('o')
  await page.keyboard.press('Tab')
  expect(await overlay.evaluate((el) => el.contains(el.ownerDocument.activeElement))).toBe(true)
  await page.keyboard.press('Escape')
  await expect(overlay).toBeHidden()
  await expect(done).toBeFocused()
  await expect(page.getByTestId('mark-value-onset')).toHaveText(onset!)
})
