import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test } from '@playwright/test'
import { docScreenshot, invoke, openDemo, startWithoutProject } from './bridge'

/**
 * Issue #15's "done means" in the browser bridge: the demo's long video (20 s, 30 fps, 2 micro-
 * and 1 macro-expression among a head movement and blinks) is spotted from Coding, two candidates
 * are accepted and one rejected from the keyboard, AUs are coded on an accepted one, the review
 * survives a reload, and the Batch view shows the MEGC F1: truth = the video's 3 labelled
 * expressions, predictions = the spotted ones not rejected (2 of 3) → TP 2, FP 0, FN 1, F1 80 %.
 */
const DEMO_DIR = join('tests/.generated/e2e-data', 'demo')
const VIDEO = '15_0101disgustingteeth'

test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

test('long video: spot, accept two candidates, reject one, code AUs, evaluate', async ({ page }) => {
  test.setTimeout(400_000)
  // A fresh demo: an earlier run's review would be found again (it is saved in the project).
  await startWithoutProject(page, () => rm(DEMO_DIR, { recursive: true, force: true }))
  await openDemo(page)

  await page.getByRole('combobox', { name: 'Dataset' }).selectOption({ label: 'Synthetic CAS(ME)² long video (demo)' })
  await page.getByTestId(`sample-s15-${VIDEO}#1`).click()
  await expect(page.getByTestId('sample-title')).toHaveText(`s15 / ${VIDEO}#1`)
  const track = page.getByTestId('candidate-track')
  await expect(track).toBeVisible()

  await page.getByTestId('spot-intervals').click()
  await expect(page.getByTestId('candidate-strip')).toBeVisible({ timeout: 240_000 })
  const expressions = page.locator('[data-testid=candidate-strip] button[data-kind=micro], [data-testid=candidate-strip] button[data-kind=macro]')
  await expect(expressions).toHaveCount(3)
  await expect(page.locator('[data-testid=candidate-strip] button[data-kind=blink]')).toHaveCount(3)
  await expect(page.locator('[data-testid=candidate-strip] button[data-kind=head-motion]')).toHaveCount(1)
  await expect(page.getByTestId('spotting-curve')).toHaveAttribute('aria-label', /^Spotting curve over 600 frames, 2 micro and 1 macro candidates/)

  // From the first frame, "." steps to the first candidate (the head movement), then on to the first expression.
  await page.getByTestId('frame-canvas').click()
  await page.keyboard.press('Home')
  await page.keyboard.press('.')
  await expect(page.getByTestId('candidate-selected')).toContainText('head motion')
  await page.keyboard.press('y')
  await expect(page.getByTestId('candidate-error')).toContainText('not an expression')
  const first = expressions.nth(0)
  const firstId = (await first.getAttribute('data-testid'))!
  while ((await page.locator(`[data-testid=${firstId}]`).getAttribute('aria-pressed')) !== 'true') await page.keyboard.press('.')
  await page.keyboard.press('y')
  await expect(first).toHaveAttribute('data-state', 'accepted')
  // The first expression is the labelled #1 (open): the coder's form shows the accepted marks.
  await expect(page.getByTestId('mark-value-onset')).not.toHaveText('–')
  // The second expression is further on: "." skips the blinks in between.
  const secondId = (await expressions.nth(1).getAttribute('data-testid'))!
  while ((await page.locator(`[data-testid=${secondId}]`).getAttribute('aria-pressed')) !== 'true') await page.keyboard.press('.')
  await page.keyboard.press('y')
  await expect(expressions.nth(1)).toHaveAttribute('data-state', 'accepted')
  await expressions.nth(2).click()
  await page.keyboard.press('x')
  await expect(expressions.nth(2)).toHaveAttribute('data-state', 'rejected')
  await expect(page.getByTestId('candidate-counts')).toContainText('✓ 2 ✗ 1')
  await docScreenshot(page, 'long-video-candidates.png')

  // The review is in the project: a reload shows it again.
  await page.reload()
  await page.getByRole('combobox', { name: 'Dataset' }).selectOption({ label: 'Synthetic CAS(ME)² long video (demo)' })
  await page.getByTestId(`sample-s15-${VIDEO}#1`).click()
  await expect(expressions.nth(2)).toHaveAttribute('data-state', 'rejected', { timeout: 30_000 })
  await expect(expressions.nth(0)).toHaveAttribute('data-state', 'accepted')

  // Code AUs on the first accepted one: its sample opens with onset/apex/offset prefilled.
  await expressions.nth(0).click()
  await page.getByTestId('candidate-open').click()
  await expect(page.getByTestId('mark-value-onset')).not.toHaveText('–')
  await page.keyboard.press('u')
  await page.keyboard.type('4+7')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('save-state')).toHaveText('Saved')
  await expect(page.getByTestId('au-text')).toHaveValue('4+7')

  await page.getByTestId('view-tab-batch').click()
  await page.getByTestId('spotting-evaluate').click()
  await expect(page.getByTestId('spotting-overall')).toContainText('80.0%')
  await expect(page.getByTestId('spotting-overall').locator('td').nth(0)).toHaveText('2')
  await expect(page.getByTestId('spotting-overall').locator('td').nth(2)).toHaveText('1')
})
