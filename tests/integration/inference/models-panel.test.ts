// The Models panel's contract (issue #26): list with origin and when added, a folder of models
// added as the CLI's --model FOLDER takes it, a new file under an added model's id is a new version
// the user confirms, added models removed and bundled ones kept.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { call } from '../../../src/main/ipc/registry'
import { createStudio, type Studio } from '../../../src/main/studio'

const resources = resolve(__dirname, '../../../resources')
const dir = mkdtempSync(join(tmpdir(), 'me-models-panel-'))
let studio: Studio | undefined
afterAll(async () => {
  await studio?.dispose()
  rmSync(dir, { recursive: true, force: true })
})

/** A bundled demo copied into `folder` under `id` (file, card and reference outputs). */
function stage(folder: string, demo: string, id: string): string {
  mkdirSync(folder, { recursive: true })
  const card = JSON.parse(readFileSync(join(resources, 'models', `${demo}.card.json`), 'utf8')) as { id: string; reference: { file: string } }
  card.id = id
  card.reference.file = `${id}.reference.json`
  copyFileSync(join(resources, 'models', `${demo}.onnx`), join(folder, `${id}.onnx`))
  copyFileSync(join(resources, 'models', `${demo}.reference.json`), join(folder, card.reference.file))
  writeFileSync(join(folder, `${id}.card.json`), JSON.stringify(card))
  return join(folder, `${id}.onnx`)
}

describe('models panel contract', () => {
  it('adds a folder, confirms a new version, removes added models and keeps bundled ones', async () => {
    studio = createStudio({ host: 'cli', userDataDir: join(dir, 'user'), resourcesDir: resources })
    const before = await call(studio.registry, 'query:models.list', {})
    expect(before.models.find((m) => m.id === 'ststnet-demo')).toMatchObject({ source: 'bundled', addedAt: null, problem: null })

    const folds = join(dir, 'kit', 'folds')
    stage(folds, 'ststnet-demo', 'mine-fold0')
    stage(folds, 'ststnet-demo', 'mine-fold1')
    const added = await call(studio.registry, 'command:models.add', { onnxPath: folds })
    expect(added.status).toBe('added-folder')
    if (added.status !== 'added-folder') return
    expect(added.models.map((m) => [m.id, m.source])).toEqual([
      ['mine-fold0', 'user'],
      ['mine-fold1', 'user'],
    ])
    expect(Date.parse(added.models[0]!.addedAt!)).toBeGreaterThan(Date.now() - 60_000)

    // Another file under an added model's id: confirmed, it replaces that model.
    const other = stage(join(dir, 'v2'), 'off_tanet-demo', 'mine-fold0')
    const asked = await call(studio.registry, 'command:models.add', { onnxPath: other })
    expect(asked.status).toBe('needs-confirm')
    if (asked.status !== 'needs-confirm') return
    expect(asked.registered.card?.architecture).toBe('ststnet')
    expect(asked.message).toContain('confirm it as a new version')
    const confirmed = await call(studio.registry, 'command:models.add', { onnxPath: other, replaceSha256: asked.registered.card!.file.sha256 })
    expect(confirmed.status).toBe('added')
    if (confirmed.status !== 'added') return
    expect(confirmed.model.card?.architecture).toBe('off_tanet')
    expect(confirmed.model.card?.file.sha256).toBe(asked.sha256)

    // A bundled model's id stays refused: no version of it can be confirmed.
    const clash = stage(join(dir, 'clash'), 'off_tanet-demo', 'ststnet-demo')
    await expect(call(studio.registry, 'command:models.add', { onnxPath: clash })).rejects.toThrow(/A bundled model already uses the id "ststnet-demo".*give it another id/)

    expect(await call(studio.registry, 'command:models.remove', { modelId: 'mine-fold1' })).toEqual({ removed: true })
    expect(existsSync(join(dir, 'user', 'models', 'mine-fold1.onnx'))).toBe(false)
    expect(existsSync(join(dir, 'user', 'models', 'mine-fold1.reference.json'))).toBe(false)
    await expect(call(studio.registry, 'command:models.remove', { modelId: 'ststnet-demo' })).rejects.toThrow('bundled models cannot be removed')

    const after = await call(studio.registry, 'query:models.list', { reload: true })
    expect(after.models.map((m) => m.id)).toContain('mine-fold0')
    expect(after.models.map((m) => m.id)).not.toContain('mine-fold1')
    expect(after.models.find((m) => m.id === 'mine-fold0')).toMatchObject({ source: 'user', problem: null })
  })
})
