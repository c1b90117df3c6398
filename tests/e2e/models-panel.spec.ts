import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { expect, test } from '@playwright/test'
import { openDemo, startWithoutProject } from './bridge'

/**
 * Issue #26's Models panel in the browser bridge, against the real registry: bundled models listed
 * without Remove, a folder of models (as the CLI's `--model FOLDER`, here copies of the STSTNet demo
 * under new ids, reference outputs included) added, one shown with its sha256, both removed again
 * (the server's user data is shared with the other specs).
 */
const BUNDLED = resolve('resources/models')

function stageFolds(ids: string[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'me-e2e-folds-'))
  const card = JSON.parse(readFileSync(join(BUNDLED, 'ststnet-demo.card.json'), 'utf8')) as { id: string; reference: { file: string } }
  for (const id of ids) {
    copyFileSync(join(BUNDLED, 'ststnet-demo.onnx'), join(folder, `${id}.onnx`))
    copyFileSync(join(BUNDLED, 'ststnet-demo.reference.json'), join(folder, `${id}.reference.json`))
    writeFileSync(join(folder, `${id}.card.json`), JSON.stringify({ ...card, id, reference: { ...card.reference, file: `${id}.reference.json` } }))
  }
  return folder
}

test('models panel: bundled listed, a folder added, one shown, added ones removed', async ({ page }) => {
  test.setTimeout(180_000)
  await startWithoutProject(page)
  await openDemo(page)
  await page.getByRole('listbox', { name: 'Samples' }).getByRole('option').first().click()
  await page.getByTestId('view-tab-inspect').click()
  await page.getByTestId('manage-models').click()

  const bundled = page.getByTestId('model-row-ststnet-demo')
  await expect(bundled).toContainText('bundled with the studio', { timeout: 60_000 }) // the list checks every model's file
  await expect(page.getByTestId('remove-model-ststnet-demo')).toHaveCount(0)

  const ids = [`e2e-${Date.now()}-fold0`, `e2e-${Date.now()}-fold1`]
  await page.getByTestId('onnx-path').fill(stageFolds(ids))
  await page.getByRole('button', { name: 'Add model' }).click()
  await expect(page.getByTestId('models-notice')).toHaveText(`Added ${ids.join(', ')}`, { timeout: 60_000 })
  await expect(page.getByTestId(`model-row-${ids[0]}`)).toContainText('added ')

  await page.getByTestId(`show-model-${ids[0]}`).click()
  const card = JSON.parse(readFileSync(join(BUNDLED, 'ststnet-demo.card.json'), 'utf8')) as { file: { sha256: string } }
  await expect(page.getByTestId('model-sha256')).toHaveText(card.file.sha256)
  await expect(page.getByTestId('model-details')).toContainText(`${ids[0]}.reference.json`)

  for (const id of ids) {
    await page.getByTestId(`remove-model-${id}`).click()
    await page.getByTestId(`confirm-remove-${id}`).click()
    await expect(page.getByTestId(`model-row-${id}`)).toHaveCount(0)
  }
  await expect(page.getByTestId('models-notice')).toHaveText(`Removed ${ids[1]}`)
})
