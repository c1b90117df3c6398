import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Locator } from '@playwright/test'
import { docScreenshot, invoke, openDemo, startWithoutProject } from './bridge'

/**
 * The motion issue's views on real computed data: on a demo sample, TV-L1 flow onset→apex
 * (colour wheel, arrows, magnitude and strain heatmaps), face landmarks with the aligned crop,
 * a magnified section beside the raw clip, and the spotting curve's suggested apex.
 */
const DEMO_DIR = join('tests/.generated/e2e-data', 'demo')

interface SampleTruth {
  subject: string
  sample: string
  onset: number
  apex: number
}

/** An <img> that has really decoded (a broken media route leaves naturalWidth at 0). */
async function expectLoaded(image: Locator): Promise<void> {
  await expect(image).toBeVisible()
  await expect.poll(() => image.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0)
}

test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

test('motion views: flow, face alignment, magnification and spotting on a demo sample', async ({ page }) => {
  test.setTimeout(300_000)
  // The demo itself is reused from an earlier spec when there is one.
  await startWithoutProject(page)
  await openDemo(page)
  await page.getByRole('listbox', { name: 'Samples' }).getByRole('option').first().click()
  await expect(page.getByTestId('sample-title')).toHaveText('sub01 / EP01_01')
  const truth = (JSON.parse(readFileSync(join(DEMO_DIR, 'dataset-casme2', 'ground-truth.json'), 'utf8')) as { samples: SampleTruth[] }).samples.find(
    (s) => s.subject === 'sub01' && s.sample === 'EP01_01',
  )!

  // Spotting curve under the timeline: the suggested apex is near the generator's apex.
  await page.getByTestId('spot-run').click()
  await expect(page.getByTestId('spot-summary')).toContainText('suggested apex', { timeout: 60_000 })

  await page.keyboard.press('Alt+4')
  await expect(page.getByTestId('motion-view')).toBeVisible()
  // The form takes the dataset's frame numbers, as Coding shows them.
  await page.getByTestId('flow-from').fill(String(truth.onset))
  await page.getByTestId('flow-to').fill(String(truth.apex))
  await page.getByTestId('compute-flow').click()
  await expect(page.getByTestId('flow-panels')).toBeVisible({ timeout: 60_000 })
  for (const id of ['flow-color', 'flow-magnitude', 'flow-strain']) await expectLoaded(page.getByTestId(id))
  await expect(page.getByTestId('flow-stats')).toContainText('TV-L1')
  await docScreenshot(page, 'motion-flow.png')

  await page.getByTestId('detect-face').click()
  await expect(page.getByTestId('face-panel')).toBeVisible({ timeout: 60_000 })
  await expectLoaded(page.getByTestId('aligned-crop'))

  await page.getByTestId('magnify').click()
  await expect(page.getByTestId('magnify-pair')).toBeVisible({ timeout: 60_000 })
  await page.getByTestId('face-panel').scrollIntoViewIfNeeded()
  await docScreenshot(page, 'motion-face-magnify.png')
})
