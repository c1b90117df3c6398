import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, test } from '@playwright/test'
import { invoke, openDemo, startWithoutProject } from './bridge'

/**
 * The batch issue's "done means", in the browser bridge: on the generated demo dataset a bundled
 * model runs as a batch from the Batch view, the evaluation report appears, the predictions CSV and
 * the evaluation (PNG image; CSV with its confusion-matrix companion) are exported from the dialog, a training set is written, and `me-studio predict` on the same project writes the same rows
 * (timing columns aside: they are measured per run).
 */
const OUT = resolve('tests/.generated/e2e-batch')
const TIMINGS = new Set(['preprocess_ms', 'inference_ms', 'total_ms'])

function withoutTimings(csv: string): string[] {
  const rows = csv.split('\r\n').map((line) => line.split(','))
  const keep = rows[0]!.map((name, i) => (TIMINGS.has(name) ? -1 : i)).filter((i) => i >= 0)
  return rows.map((cells) => keep.map((i) => cells[i]).join(','))
}

test('batch: a model over the demo dataset, evaluation, CSV export equal to the CLI', async ({ page }) => {
  test.setTimeout(400_000)
  rmSync(OUT, { recursive: true, force: true })
  mkdirSync(OUT, { recursive: true })
  await startWithoutProject(page)
  await openDemo(page)

  await page.getByTestId('view-tab-batch').click()
  await expect(page.getByTestId('batch-view')).toBeVisible()
  const model = page.locator('[data-testid^=batch-model-]').first()
  await expect(model).toBeVisible({ timeout: 60_000 })
  const modelId = (await model.getAttribute('data-testid'))!.replace('batch-model-', '')
  await model.check()
  // The demo project is shared by the specs: an earlier run's jobs are listed too (newest first).
  const jobs = page.locator('[data-testid^=batch-job-]')
  const before = await jobs.count()
  await page.getByTestId('batch-start').click()
  await expect(jobs).toHaveCount(before + 1)

  const job = jobs.first()
  await expect(job).toContainText('completed', { timeout: 240_000 })
  await expect(page.getByTestId('evaluation-report')).toBeVisible()
  await expect(page.getByTestId('uf1').first()).toHaveText(/^\d\.\d{3}$|^–$/)

  await page.getByTestId('batch-export').click()
  await page.getByTestId('batch-export-path').fill(resolve(OUT, 'app.csv'))
  await page.getByTestId('batch-export-run').click()
  await expect(page.getByTestId('batch-export-result')).toContainText('predictions written')
  await page.screenshot({ path: resolve(OUT, 'batch-view.png'), fullPage: true })

  // The evaluation report as a PNG image and as CSV (summary + confusion-matrix companion).
  await page.getByLabel('Evaluation report').check()
  await page.getByTestId('export-format').selectOption('png')
  await page.getByTestId('batch-export-path').fill(resolve(OUT, 'evaluation.png'))
  await page.getByTestId('batch-export-run').click()
  await expect(page.getByTestId('batch-export-result')).toContainText(`Evaluation written to ${resolve(OUT, 'evaluation.png')}`)
  expect(readFileSync(resolve(OUT, 'evaluation.png')).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a')
  await page.getByTestId('export-format').selectOption('csv')
  await page.getByTestId('batch-export-path').fill(resolve(OUT, 'evaluation.csv'))
  await page.getByTestId('batch-export-run').click()
  await expect(page.getByTestId('batch-export-result')).toContainText(resolve(OUT, 'evaluation.confusion.csv'))
  expect(readFileSync(resolve(OUT, 'evaluation.confusion.csv'), 'utf8').split('\r\n')[0]).toBe('model,scope,dataset,subject,coded_class,predicted_class,count')
  // An existing file is replaced only after "Replace?".
  await page.getByTestId('export-format').selectOption('png')
  await page.getByTestId('batch-export-path').fill(resolve(OUT, 'evaluation.png'))
  await page.getByTestId('batch-export-run').click()
  await expect(page.getByTestId('replace-prompt')).toContainText(`${resolve(OUT, 'evaluation.png')} already exists`)
  await page.getByTestId('replace-confirm').click()
  await expect(page.getByTestId('batch-export-result')).toContainText(`Evaluation written to ${resolve(OUT, 'evaluation.png')}`)

  // The training set for the models kit, with the chosen model's recipe.
  await page.locator('details.training summary').click()
  await page.getByTestId('training-dir').fill(resolve(OUT, 'training-set'))
  await page.getByTestId('training-export').click()
  await expect(page.locator('details.training .ok')).toContainText(`samples for ${modelId}`, { timeout: 120_000 })
  expect(readFileSync(resolve(OUT, 'training-set', 'manifest.csv'), 'utf8').split('\r\n')[0]).toBe('dataset,subject,sample,label,onset,apex,offset,input')

  // A misclassified sample opens in Inspect with the model that predicted it.
  const misclassified = page.locator('[data-testid^=misclassified-]').first()
  if ((await misclassified.count()) > 0) {
    test.info().annotations.push({ type: 'inspect', description: `opened ${await misclassified.textContent()}` })
    await misclassified.click()
    await expect(page.getByTestId('inspect-view')).toBeVisible()
    await expect(page.getByTestId('model-a')).toHaveValue(modelId)
  }

  // The app took the current coder's frames ("Frames from" its default): so does `predict --coder`.
  const project = (await invoke(page, 'query:project.current')) as { path: string; annotators: { name: string; role: string }[] }
  const coder = project.annotators.find((a) => a.role === 'coder')!.name
  await invoke(page, 'command:project.close')
  execFileSync(process.execPath, ['bin/me-studio.mjs', 'predict', '--project', project.path, '--model', modelId, '--coder', coder, '--out', resolve(OUT, 'cli.csv')], {
    env: { ...process.env, ME_STUDIO_DATA_DIR: 'tests/.generated/e2e-data' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  expect(existsSync(resolve(OUT, 'cli.csv'))).toBe(true)
  const app = readFileSync(resolve(OUT, 'app.csv'), 'utf8')
  expect(app.split('\r\n')[0]).toMatch(/^dataset,subject,sample,clip_path,fps,onset,apex,offset,frames_source,coded_label,coded_class,predicted_label,p_/)
  expect(withoutTimings(readFileSync(resolve(OUT, 'cli.csv'), 'utf8'))).toEqual(withoutTimings(app))
})
