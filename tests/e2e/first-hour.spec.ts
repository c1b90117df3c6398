import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { docScreenshot, invoke, openDemo, startWithoutProject } from './bridge'

/**
 * A coder's first hour (#22): on the demo (whose first files are not 0), code a sample; Motion
 * and Inspect show the same frame numbers and take the coder's own frames; the dataset's own
 * CASME II coding sheet imports as a second coder; the prediction, its heatmap and the codes are
 * downloaded; the project closes back to "Open dataset…", and another opens from a folder chosen
 * with the file picker by keyboard.
 */
const DEMO_DIR = join('tests/.generated/e2e-data', 'demo')

interface SampleTruth {
  subject: string
  sample: string
  firstFrameNumber: number
  onset: number
  apex: number
  offset: number
}

async function goToFrame(page: Page, frame: number): Promise<void> {
  await page.keyboard.press('g')
  await page.keyboard.type(String(frame))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('frame-number')).toHaveText(String(frame))
}

test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

test("a coder's first hour: one frame numbering, the coder's own frames, the dataset's sheet, downloads, closing, the picker", async ({ page }) => {
  test.setTimeout(300_000)
  await startWithoutProject(page, () => rm(DEMO_DIR, { recursive: true, force: true }))
  await openDemo(page)
  await page.keyboard.press('n')
  await expect(page.getByTestId('sample-title')).toHaveText('sub01 / EP01_01')
  const truth = (JSON.parse(readFileSync(join(DEMO_DIR, 'dataset-casme2', 'ground-truth.json'), 'utf8')) as { samples: SampleTruth[] }).samples.find(
    (s) => s.subject === 'sub01' && s.sample === 'EP01_01',
  )!
  expect(truth.firstFrameNumber).toBeGreaterThan(0)
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-index', '0')
  await expect(page.getByTestId('frame-number')).toHaveText(String(truth.firstFrameNumber))

  // Coding: the coder's own marks, away from the dataset's labels.
  const mine = { onset: truth.onset + 2, apex: truth.apex + 1, offset: truth.offset - 3 }
  await goToFrame(page, mine.onset)
  await page.keyboard.press('o')
  await goToFrame(page, mine.apex)
  await page.keyboard.press('a')
  await goToFrame(page, mine.offset)
  await page.keyboard.press('f')
  await page.keyboard.press('u')
  await page.keyboard.type('1+2+R12')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('save-state')).toHaveText('Saved')
  await expect(page.getByTestId('mark-offset')).toHaveText('F')

  // Motion: the same numbers, from the coder's coding.
  await page.keyboard.press('Alt+4')
  await expect(page.getByTestId('flow-from')).toHaveValue(String(mine.onset))
  await expect(page.getByTestId('flow-to')).toHaveValue(String(mine.apex))
  await expect(page.getByTestId('coding-source')).toHaveValue('mine')
  await expect(page.getByTestId('coding-source-frames')).toHaveText(`onset / apex / offset ${mine.onset} / ${mine.apex} / ${mine.offset}`)
  await expect(page.getByTestId('face-reference')).toContainText(`reference frame ${mine.onset} (onset, your coding)`)

  // Inspect: the coder's frames and AUs, said so.
  await page.keyboard.press('Alt+5')
  await expect(page.getByTestId('inspect-source')).toContainText('frames from your coding')
  await expect(page.getByTestId('inspect-source')).toContainText('AUs 1+2+R12')
  await docScreenshot(page, 'inspect-source.png')

  // The prediction on screen, by download: the batch CSV's columns with the coder's frames, and the heatmap PNG.
  await page.getByTestId('run-inference').click()
  await expect(page.getByTestId('prediction-panel')).toBeVisible({ timeout: 180_000 })
  const modelId = await page.getByTestId('model-a').inputValue()
  const [predictionCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('prediction-download').click()])
  expect(predictionCsv.suggestedFilename()).toBe(`EP01_01-${modelId}.csv`)
  const [header, row] = readFileSync(await predictionCsv.path(), 'utf8').split('\r\n')
  const cells = Object.fromEntries(header!.split(',').map((column, i) => [column, row!.split(',')[i]]))
  expect(cells).toMatchObject({ subject: 'sub01', sample: 'EP01_01', onset: String(mine.onset), frames_source: 'coded', model_id: modelId })
  await expect(page.getByTestId('prediction-export-result')).toHaveText(`Downloading EP01_01-${modelId}.csv`)
  const [heatmapPng] = await Promise.all([page.waitForEvent('download'), page.getByTestId('attention-png').click()])
  expect(heatmapPng.suggestedFilename()).toMatch(new RegExp(`^EP01_01-${modelId}-.+\\.png$`))
  expect(readFileSync(await heatmapPng.path()).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')

  // Agreement: the dataset's own coding sheet (subjects written 01, 02…) imports as a coder.
  await page.keyboard.press('Alt+2')
  await page.getByTestId('import-path').fill(resolve(DEMO_DIR, 'dataset-casme2', 'CASME2-coding-20260101.xlsx'))
  await page.getByTestId('import-codes').click()
  await expect(page.getByTestId('codes-message')).toContainText('Imported 9 codings', { timeout: 60_000 })
  await expect(page.getByTestId('codes-error')).toHaveCount(0)

  // The codes, by download: no server path typed.
  const [codesCsv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-codes').click()])
  expect(codesCsv.suggestedFilename()).toBe('codes.csv')
  const codes = readFileSync(await codesCsv.path(), 'utf8')
  expect(codes).toContain('EP01_01')
  expect(codes).toContain('1+2+R12')

  // Close: back to "Open dataset…", and a reload does not reopen the project.
  const demoProject = ((await invoke(page, 'query:project.current')) as { path: string }).path
  await page.getByTestId('close-project').click()
  await expect(page.getByTestId('empty-state')).toBeVisible()
  await page.reload()
  await expect(page.getByTestId('empty-state')).toBeVisible()
  await expect(page.getByTestId('open-dataset')).toBeVisible()

  // Open another: the dataset folder chosen with the picker, by keyboard only.
  await page.getByTestId('open-dataset').click()
  await page.getByTestId('dataset-path-browse').click()
  await expect(page.getByTestId('file-picker')).toBeVisible()
  await expect(page.getByTestId('picker-filter')).toBeFocused()
  const generated = resolve('tests/.generated')
  for (const [filter, folder] of [['.generated', generated], ['e2e-data', join(generated, 'e2e-data')], ['demo', resolve(DEMO_DIR)], ['dataset-casme2', resolve(DEMO_DIR, 'dataset-casme2')]] as const) {
    await page.keyboard.type(filter)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('picker-path')).toHaveText(folder)
  }
  await expect(page.getByTestId('picker-entry-sub01')).toBeVisible()
  await page.keyboard.press('Backspace')
  await expect(page.getByTestId('picker-path')).toHaveText(resolve(DEMO_DIR))
  await page.keyboard.type('dataset')
  await page.keyboard.press('Enter')
  await docScreenshot(page, 'file-picker.png')
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('file-picker')).toHaveCount(0)
  await expect(page.getByTestId('dataset-path')).toHaveValue(resolve(DEMO_DIR, 'dataset-casme2'))
  await expect(page.getByTestId('dataset-path')).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('dataset-browser')).toBeVisible({ timeout: 180_000 })
  expect(((await invoke(page, 'query:project.current')) as { path: string }).path).not.toBe(demoProject)
})
