import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { seriousViolations } from './axe'
import { invoke, startWithoutProject } from './bridge'

/**
 * #27 "done means": the coding workflow walked with the keyboard alone (`page.keyboard`, no click),
 * checking after each action that focus is on something, not `<body>`, and running axe-core on every
 * view in the states the issue lists (demo open, Agreement, Adjudication, flow and magnification
 * computed, Inspect after Run, batch done, the export dialog and its "Replace?" prompt), failing on
 * any critical or serious violation.
 */
const OUT = resolve('tests/.generated/e2e-keyboard')
const DEMO_DIR = join('tests/.generated/e2e-data', 'demo')

// A fresh demo in, and out again: the coding and the coder added here are not left to other specs.
test.afterEach(async ({ page }) => {
  await invoke(page, 'command:project.close')
  rmSync(DEMO_DIR, { recursive: true, force: true })
})

/** The focused element in words (its test id, else its tag), or "body". */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { tagName: string; getAttribute: (name: string) => string | null } | null; body: unknown } }).document
    const el = active.activeElement
    if (!el || el === active.body) return 'body'
    return el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.tagName.toLowerCase()
  })
}

/** After an action, focus settles on an element, never on `<body>`. */
async function expectFocusKept(page: Page, after: string): Promise<void> {
  await expect.poll(() => focused(page), { message: `focus after ${after}` }).not.toBe('body')
}

/** Presses Tab (Shift+Tab backwards) until the focused element matches `selector`. */
async function tabTo(page: Page, selector: string, backwards = false): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate((s) => (globalThis as unknown as { document: { activeElement: { matches: (s: string) => boolean } | null } }).document.activeElement?.matches(s) ?? false, selector)) return
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`Tab never reached ${selector} (focus is on ${await focused(page)})`)
}

async function expectNoSeriousViolation(page: Page, where: string): Promise<void> {
  expect(await seriousViolations(page), `axe on ${where}`).toEqual([])
}

test('the coding workflow by keyboard alone, with focus kept and axe clean on every view', async ({ page }) => {
  test.setTimeout(600_000)
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  await startWithoutProject(page, async () => rmSync(DEMO_DIR, { recursive: true, force: true }))

  // "Open dataset…" puts the caret in its field; then the demo project.
  await tabTo(page, '[data-testid=open-dataset]')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('dataset-path')).toBeFocused()
  await tabTo(page, '[data-testid=open-demo]', true)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('dataset-browser')).toBeVisible({ timeout: 180_000 })
  await expectFocusKept(page, 'Try the demo project')
  await expectNoSeriousViolation(page, 'the demo project open')

  // Choose a sample in the list: one Tab stop, arrows move, Enter opens.
  await tabTo(page, '[data-testid=sample-list] li[role=option]')
  await page.keyboard.press('ArrowDown')
  const second = await focused(page)
  expect(second).toMatch(/^sample-/)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('sample-title')).toHaveText(second.replace(/^sample-/, '').replace('-', ' / '))
  await expect(page.getByTestId('frame-canvas')).toHaveAttribute('data-drawn-index', '0')
  await expectFocusKept(page, 'opening a sample')

  // Step with the arrows from the player's Play button, and mark onset, apex and offset.
  await tabTo(page, '[data-testid=play]')
  const first = Number(await page.getByTestId('frame-number').textContent())
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('frame-number')).toHaveText(String(first + 1))
  await page.keyboard.press('o')
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('a')
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('f')
  await expect(page.getByTestId('mark-value-onset')).toHaveText(String(first + 1))
  await expect(page.getByTestId('mark-value-apex')).toHaveText(String(first + 11))
  await expect(page.getByTestId('mark-value-offset')).toHaveText(String(first + 21))
  await expectFocusKept(page, 'marking O/A/F')

  // The apex mark on the timeline is a slider: → moves it a frame.
  await tabTo(page, '[data-testid=mark-apex]')
  await page.keyboard.press('ArrowRight')
  await expect(page.getByTestId('mark-value-apex')).toHaveText(String(first + 12))

  // AUs typed (Enter leaves the field for the coding panel), then one more from the catalogue.
  await page.keyboard.press('u')
  await expect(page.getByTestId('au-text')).toBeFocused()
  await page.keyboard.type('1+2')
  await page.keyboard.press('Enter')
  await expectFocusKept(page, 'Enter in the AU field')
  await expect(page.getByTestId('au-text')).toHaveValue('1+2')
  await tabTo(page, '[data-testid=au-catalogue]')
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown') // 0, 1, 2, 4: onto AU 4
  await page.keyboard.press('Space')
  await expect(page.getByTestId('au-text')).toHaveValue('1+2+4')

  // The emotion, then "coding finished".
  await page.keyboard.press('e')
  await expect(page.getByTestId('emotion')).toBeFocused()
  await page.keyboard.type('happ')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('emotion')).toHaveValue('happiness')
  await expectFocusKept(page, 'Enter in the emotion field')
  await tabTo(page, '[data-testid=status-done]')
  await page.keyboard.press('Space')
  await expect(page.getByTestId('status-done')).toBeChecked()
  await expectNoSeriousViolation(page, 'Coding with the sample coded')

  // Other views by their shortcuts: focus goes to the view's region, not to <body>.
  await page.keyboard.press('Alt+2')
  await expect(page.getByTestId('view-tab-agreement')).toHaveAttribute('aria-selected', 'true')
  await expectFocusKept(page, 'Alt+2')
  await expectNoSeriousViolation(page, 'Agreement')
  await page.keyboard.press('Alt+3')
  await expect(page.getByTestId('adjudication-view')).toBeVisible()
  await expectFocusKept(page, 'Alt+3')
  await expectNoSeriousViolation(page, 'Adjudication')

  // Motion: flow and magnification computed from the keyboard.
  await page.keyboard.press('Alt+4')
  await expect(page.getByTestId('motion-view')).toBeVisible()
  await expectFocusKept(page, 'Alt+4')
  await tabTo(page, '[data-testid=compute-flow]')
  await page.keyboard.press('Enter')
  await expectFocusKept(page, 'Compute flow')
  await expect(page.getByTestId('flow-panels')).toBeVisible({ timeout: 120_000 })
  await expectFocusKept(page, 'the flow computed')
  await expect(page.getByTestId('flow-color')).toHaveAttribute('alt', /flow (onset|frame) \d+ → (apex|frame) \d+, max \d+\.\d\d px\/frame/)
  await tabTo(page, '[data-testid=magnify]', true)
  await page.keyboard.press('Enter')
  await expectFocusKept(page, 'Magnify')
  await expect(page.getByTestId('magnify-pair')).toBeVisible({ timeout: 120_000 })
  await expectFocusKept(page, 'the magnification computed')
  await expectNoSeriousViolation(page, 'Motion with flow and magnification computed')

  // Inspect: Run.
  await page.keyboard.press('Alt+5')
  await expect(page.getByTestId('inspect-view')).toBeVisible()
  await tabTo(page, '[data-testid=run-inference]')
  await page.keyboard.press('Enter')
  await expectFocusKept(page, 'Run')
  await expect(page.getByTestId('prediction-panel')).toBeVisible({ timeout: 180_000 })
  await expectFocusKept(page, 'the prediction shown')
  await expectNoSeriousViolation(page, 'Inspect after Run')

  // Batch: a model over the dataset, then its export dialog and the "Replace?" prompt.
  await page.keyboard.press('Alt+6')
  await expect(page.getByTestId('batch-view')).toBeVisible()
  await tabTo(page, '[data-testid^=batch-model-]')
  await page.keyboard.press('Space')
  await tabTo(page, '[data-testid=batch-start]')
  await page.keyboard.press('Enter')
  await expectFocusKept(page, 'Run batch')
  await expect(page.locator('[data-testid^=batch-job-]').first()).toContainText('completed', { timeout: 240_000 })
  await expect(page.getByTestId('evaluation-report')).toBeVisible()
  await expectFocusKept(page, 'the batch done')
  await expectNoSeriousViolation(page, 'Batch done')
  await tabTo(page, '[data-testid^=batch-show-]')
  await page.keyboard.press('Enter')
  await tabTo(page, '[data-testid=batch-export]')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('batch-export-path')).toBeFocused()
  await page.keyboard.type(resolve(OUT, 'predictions.csv'))
  await tabTo(page, '[data-testid=batch-export-run]')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('batch-export-result')).toContainText('predictions written')
  await expectFocusKept(page, 'Export')
  await expectNoSeriousViolation(page, 'the export dialog')
  await tabTo(page, '[data-testid=batch-export-run]')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('replace-prompt')).toBeVisible()
  await expectNoSeriousViolation(page, 'the "Replace?" prompt')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('replace-prompt')).toBeHidden()
  await expectFocusKept(page, 'closing "Replace?"')
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('batch-export-dialog')).toBeHidden()
  await expect(page.getByTestId('batch-export')).toBeFocused()

  // Adding a coder: focus stays in the coder group when the form goes, and Tab reaches the menu.
  await tabTo(page, '[data-testid=annotator-add]', true)
  await page.keyboard.press('Enter')
  await tabTo(page, '[data-testid=annotator-name]')
  await page.keyboard.type('Second coder')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('annotator-name')).toBeHidden()
  await expect(page.getByTestId('annotator-switcher')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('annotator-select')).toBeFocused()
})
