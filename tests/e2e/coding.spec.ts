import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { docScreenshot, invoke, startWithoutProject } from './bridge'

/**
 * The "done means": from the empty screen, the demo project (a generated CASME II-shaped
 * dataset) is created and opened; one sample is coded entirely from the keyboard (marks, AUs,
 * emotion), undone and redone, found intact after a page reload; a second coder codes it
 * differently and the agreement report shows the numbers computed by hand below.
 */

const DEMO_DIR = join('tests/.generated/e2e-data', 'demo')

interface SampleTruth {
  subject: string
  sample: string
  firstFrameNumber: number
  frameCount: number
  onset: number
  apex: number
  offset: number
  fps: number
}

function truthOf(subject: string, sample: string): SampleTruth {
  const truth = JSON.parse(readFileSync(join(DEMO_DIR, 'dataset-casme2', 'ground-truth.json'), 'utf8')) as { samples: SampleTruth[] }
  const found = truth.samples.find((s) => s.subject === subject && s.sample === sample)
  if (!found) throw new Error(`no ground truth for ${subject}/${sample}`)
  return found
}

/** Jumps with the keyboard: G focuses the frame field, Enter seeks (and leaves the field). */
async function goToFrame(page: Page, frame: number): Promise<void> {
  await page.keyboard.press('g')
  await page.keyboard.type(String(frame))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('frame-number')).toHaveText(String(frame))
}

/** Codes the open sample from the keyboard only. */
async function codeSample(page: Page, marks: { onset: number; apex: number; offset: number }, aus: string, emotion: string): Promise<void> {
  await goToFrame(page, marks.onset)
  await page.keyboard.press('o')
  await goToFrame(page, marks.apex)
  await page.keyboard.press('a')
  await goToFrame(page, marks.offset)
  await page.keyboard.press('f')
  await page.keyboard.press('u')
  await page.keyboard.type(aus)
  await page.keyboard.press('Enter')
  await page.keyboard.press('e')
  await page.keyboard.type(emotion)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('save-state')).toHaveText('Saved')
}

async function expectCoding(page: Page, marks: { onset: number; apex: number; offset: number }, aus: string, emotion: string): Promise<void> {
  await expect(page.getByTestId('mark-value-onset')).toHaveText(String(marks.onset))
  await expect(page.getByTestId('mark-value-apex')).toHaveText(String(marks.apex))
  await expect(page.getByTestId('mark-value-offset')).toHaveText(String(marks.offset))
  await expect(page.getByTestId('au-text')).toHaveValue(aus)
  await expect(page.getByTestId('emotion')).toHaveValue(emotion)
}

// The bridge is shared by every spec of the run: leave it with no project open, as found.
test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
})

test('code a demo sample from the keyboard, undo/redo, reload, and compare two coders', async ({ page }) => {
  test.setTimeout(300_000)
  // Start from nothing: no open project and no demo left by an earlier run.
  await startWithoutProject(page, () => rm(DEMO_DIR, { recursive: true, force: true }))

  await page.getByTestId('open-demo').click()
  await expect(page.getByTestId('busy')).toBeVisible()
  await expect(page.getByTestId('dataset-browser')).toBeVisible({ timeout: 180_000 })
  await expect(page.getByRole('listbox', { name: 'Samples' }).getByRole('option')).toHaveCount(9)
  await expect(page.getByTestId('annotator-select')).toHaveValue(/\d+/)

  // N: next uncoded sample; its first frame is decoded and drawn.
  await page.keyboard.press('n')
  await expect(page.getByTestId('sample-title')).toHaveText('sub01 / EP01_01')
  const truth = truthOf('sub01', 'EP01_01')
  const canvas = page.getByTestId('frame-canvas')
  await expect(canvas).toHaveAttribute('data-drawn-index', '0')
  await expect(page.getByTestId('frame-number')).toHaveText(String(truth.firstFrameNumber))

  // Frame stepping: →, Shift+→, End, Home; the time follows the frame number at the clip's fps.
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('frame-number')).toHaveText(String(truth.firstFrameNumber + 2))
  await expect(page.getByTestId('frame-time')).toHaveText(`${((2 * 1000) / truth.fps).toFixed(1)} ms`)
  await page.keyboard.press('Shift+ArrowRight')
  await expect(canvas).toHaveAttribute('data-drawn-index', '12')
  await page.keyboard.press('End')
  await expect(page.getByTestId('frame-number')).toHaveText(String(truth.firstFrameNumber + truth.frameCount - 1))
  await page.keyboard.press('Home')
  await expect(canvas).toHaveAttribute('data-drawn-index', '0')

  // Coder A codes the generator's ground truth.
  const marksA = { onset: truth.onset, apex: truth.apex, offset: truth.offset }
  await codeSample(page, marksA, 'l12+r14a', 'hap')
  await expectCoding(page, marksA, 'L12+R14A', 'happiness')

  // Nudge the selected mark (offset, selected by 3) with ] and back with [.
  await page.keyboard.press('3')
  await page.keyboard.press(']')
  await expect(page.getByTestId('mark-value-offset')).toHaveText(String(truth.offset + 1))
  await page.keyboard.press('[')
  await expect(page.getByTestId('mark-value-offset')).toHaveText(String(truth.offset))

  // Undo the nudges and the emotion, then redo the emotion.
  await page.keyboard.press('Control+z')
  await page.keyboard.press('Control+z')
  await page.keyboard.press('Control+z')
  await expect(page.getByTestId('emotion')).toHaveValue('')
  await expect(page.getByTestId('mark-value-offset')).toHaveText(String(truth.offset))
  await page.keyboard.press('Control+Shift+Z')
  await expect(page.getByTestId('emotion')).toHaveValue('happiness')
  await expect(page.getByTestId('save-state')).toHaveText('Saved')

  await page.keyboard.press('2')
  await expect(page.getByTestId('frame-number')).toHaveText(String(truth.apex))
  await docScreenshot(page, 'coding-workspace.png')
  await page.keyboard.press('d')
  await expect(page.getByTestId('view-difference')).toHaveAttribute('aria-pressed', 'true')
  await docScreenshot(page, 'coding-difference.png')
  await page.keyboard.press('d')

  // Everything is in the project file: a reload finds the sample and its coding as left.
  await page.reload()
  await expect(page.getByTestId('sample-title')).toHaveText('sub01 / EP01_01')
  await expectCoding(page, marksA, 'L12+R14A', 'happiness')
  await expect(page.getByTestId('sample-sub01-EP01_01')).toHaveAttribute('data-status', 'coded')

  // A second coder codes the same sample differently: marks 2 frames later, AU 12 only, "others".
  await page.getByTestId('annotator-add').click()
  await page.getByTestId('annotator-name').fill('Coder B')
  await page.getByTestId('annotator-create').click()
  await expect(page.getByTestId('annotator-select').locator('option:checked')).toHaveText('Coder B')
  await expect(page.getByTestId('mark-value-onset')).toHaveText('–')
  const marksB = { onset: truth.onset + 2, apex: truth.apex + 2, offset: truth.offset + 2 }
  await codeSample(page, marksB, '12', 'others')
  await expectCoding(page, marksB, '12', 'others')
  await expect(page.getByTestId('sample-sub01-EP01_01')).toHaveAttribute('data-status', 'disputed')

  // Agreement, by hand: one sample; emotions differ (p_o = 0, p_e = 0 → κ = 0); AUs {12, 14} vs {12}
  // agree on 1 of 3 by number (2·1/3) and on none with laterality (L12 ≠ 12); every mark differs by
  // +2 frames = 10 ms at 200 fps; IoU of [on, off] and [on+2, off+2] is (L−2)/(L+2), L = off−on+1.
  await page.getByTestId('view-tab-agreement').click()
  const pair = page.getByTestId('pair-Demo coder-Coder B')
  await expect(pair).toBeVisible()
  await expect(pair.getByTestId('kappa-emotion')).toHaveText('0.000')
  await expect(pair.getByTestId('facs-0')).toHaveText((2 / 3).toFixed(3))
  await expect(pair.getByTestId('facs-1')).toHaveText('0.000')
  for (const mark of ['onset', 'apex', 'offset']) {
    await expect(pair.getByTestId(`mark-diff-${mark}-frames`)).toHaveText('2.00')
    await expect(pair.getByTestId(`mark-diff-${mark}-ms`)).toHaveText('10.0')
  }
  const length = truth.offset - truth.onset + 1
  await expect(pair.getByTestId('iou-mean')).toHaveText(((length - 2) / (length + 2)).toFixed(3))
  await expect(pair.getByTestId('disagreement-sub01-EP01_01')).toContainText('emotion, aus')
  await docScreenshot(page, 'agreement.png', { fullPage: true })

  // Adjudication: accept coder A's coding as the sample's adjudicated one.
  await pair.getByTestId('disagreement-sub01-EP01_01').getByRole('button', { name: 'Adjudicate' }).click()
  await expect(page.getByTestId('adjudication-table')).toBeVisible()
  await page.getByTestId('accept-Demo coder').click()
  await expectCoding(page, marksA, 'L12+R14A', 'happiness')
  await expect(page.getByTestId('sample-sub01-EP01_01')).toHaveAttribute('data-status', 'adjudicated')
  await docScreenshot(page, 'adjudication.png')
})
