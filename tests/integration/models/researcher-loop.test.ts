// A researcher's loop end to end (issue #26), CLI and models kit together on the generator's clips:
// export a training set → train STSTNet LOSO with the kit (tiny epochs) → add the folds folder and
// the all-data model → predict → evaluate (LOSO per-fold figures; the all-data model's leakage
// warning) → a tampered card hash and a swapped class order refused. The kit trains on the studio's
// exported inputs, so its held-out PyTorch probabilities equal the studio's predictions of the same
// per-fold models from the clips (the kit/studio preprocessing parity, on every sample).
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../../src/main/cli/run'
import { synthFixture } from '../../helpers/synth-fixture'

const PYTHON = '/usr/bin/python3'
const root = resolve(__dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'me-loop-'))
const env = { ...process.env, ME_STUDIO_DATA_DIR: join(dir, 'data') }
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, env, cwd: dir })
  return { code, stdout, stderr }
}

/** RFC 4180 enough for the studio's and the kit's CSVs (no quoted commas in these columns). */
function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').split(/\r?\n/).filter(Boolean)
  const names = header!.split(',')
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])))
}

const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' })
if (probe.status !== 0) console.warn(`researcher-loop: skipped — "${PYTHON} -c 'import torch, onnx'" failed (Debian python3-torch, python3-onnx)`)

describe.skipIf(probe.status !== 0)("a researcher's loop with the models kit", () => {
  beforeAll(async () => {
    const ds = await synthFixture({ subjects: 3, samplesPerSubject: 4, seed: 26 })
    const imported = await cli('import', ds.root, '--project', 'study.meproj')
    expect(imported.code, imported.stderr).toBe(0)
  }, 120_000)

  it('export → train → add folds and all-data model → predict → evaluate with the leakage warning', async () => {
    const exported = await cli('export', '--project', 'study.meproj', '--what', 'training-set', '--model', 'ststnet-demo', '--format', 'csv', '--out', 'set')
    expect(exported.code, exported.stderr).toBe(0)

    const trained = spawnSync(
      PYTHON,
      ['-m', 'models.train', '--model', 'ststnet', '--config', 'demo', '--data', join(dir, 'set'), '--protocol', 'loso', '--epochs', '3', '--threads', '1', '--id', 'mine', '--out', join(dir, 'kit')],
      { cwd: root, encoding: 'utf8' },
    )
    expect(trained.status, trained.stderr).toBe(0)

    const predicted = await cli('predict', '--project', 'study.meproj', '--model', `kit/folds,kit/mine.onnx`, '--out', 'preds.csv')
    expect(predicted.code, predicted.stderr).toBe(0)
    const rows = readCsv(join(dir, 'preds.csv'))
    expect(rows.filter((r) => r.error_code)).toEqual([])
    expect(rows.filter((r) => r.model_id === 'mine')).toHaveLength(12)

    // The studio built each input from the clip; the kit trained and scored on the exported inputs.
    const studio = new Map(rows.map((r) => [`${r.model_id}|${r.subject}|${r.sample}`, r]))
    const kit = readCsv(join(dir, 'kit', 'mine.predictions.csv'))
    expect(kit).toHaveLength(12)
    for (const k of kit) {
      const s = studio.get(`${k.model_id}|${k.subject}|${k.sample}`)
      expect(s, `${k.model_id} ${k.sample}`).toBeDefined()
      expect(s!.predicted_label).toBe(k.predicted_label)
      for (const c of ['negative', 'positive', 'surprise']) expect(Math.abs(Number(s![`p_${c}`]) - Number(k[`p_${c}`]))).toBeLessThan(1e-4)
    }

    const evaluated = await cli('evaluate', '--project', 'study.meproj', '--predictions', 'preds.csv')
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(evaluated.stdout).toContain('LOSO per-fold models, pooled over held-out predictions')
    expect(evaluated.stdout).toContain('WARNING leakage: 12 of 12 samples are from subjects the model was trained on')
    expect(evaluated.stderr).toContain('warning: mine: 12 of 12 samples are from subjects the model was trained on')
  }, 180_000)

  it("scores a model trained on a paper's class set by that set: MS-3D-ResNet's four classes, repression in other", async () => {
    const exported = await cli('export', '--project', 'study.meproj', '--what', 'training-set', '--model', 'ststnet-demo', '--labels', 'emotion', '--format', 'csv', '--out', 'set-emotion')
    expect(exported.code, exported.stderr).toBe(0)
    const trained = spawnSync(
      PYTHON,
      ['-m', 'models.train', '--model', 'ststnet', '--config', 'demo', '--classes', 'ms3d-4', '--data', join(dir, 'set-emotion'), '--protocol', 'loso', '--epochs', '1', '--no-fold-models', '--threads', '1', '--id', 'four', '--out', join(dir, 'kit4')],
      { cwd: root, encoding: 'utf8' },
    )
    expect(trained.status, trained.stderr).toBe(0)
    const card = JSON.parse(readFileSync(join(dir, 'kit4', 'four.card.json'), 'utf8')) as { classes: string[]; classSet: { name: string; labels: Record<string, string> } }
    expect(card.classes).toEqual(['positive', 'negative', 'surprise', 'other'])
    expect(card.classSet).toMatchObject({ name: 'ms3d-4', labels: { repression: 'other', disgust: 'negative' } })

    const predicted = await cli('predict', '--project', 'study.meproj', '--model', 'kit4/four.onnx', '--out', 'four.csv')
    expect(predicted.code, predicted.stderr).toBe(0)
    const rows = readCsv(join(dir, 'four.csv'))
    const coded = (emotion: string) => [...new Set(rows.filter((r) => r.coded_label === emotion).map((r) => r.coded_class))]
    expect(coded('repression')).toEqual(['other'])
    expect(coded('disgust')).toEqual(['negative'])

    const evaluated = await cli('evaluate', '--project', 'study.meproj', '--predictions', 'four.csv')
    expect(evaluated.code, evaluated.stderr).toBe(0)
    expect(evaluated.stdout).toContain('classes: ms3d-4: positive ← happiness; negative ← anger, contempt, disgust, fear, sadness; surprise ← surprise; other ← repression, others, other; other labels left out')
    // every coded sample has a class in the set: none left out, the repression clips in the "other" row
    expect(evaluated.stdout).toContain("left out: 0 uncoded, 0 with a label outside the classes")
    const otherRow = evaluated.stdout.split('\n').find((l) => /^ {2}other +\d/.test(l))!
    const repression = rows.filter((r) => r.coded_label === 'repression').length
    expect(repression).toBeGreaterThan(0)
    expect(otherRow.trim().split(/ +/).slice(1).reduce((a, n) => a + Number(n), 0)).toBe(repression)
  }, 120_000)

  it('refuses a tampered card hash and a swapped class order', async () => {
    const stage = (id: string, edit: (card: { id: string; classes: string[]; file: { sha256: string }; reference: { file: string } }) => void): string => {
      const out = join(dir, id)
      mkdirSync(out)
      const card = JSON.parse(readFileSync(join(dir, 'kit', 'mine.card.json'), 'utf8')) as Parameters<typeof edit>[0]
      card.id = id
      edit(card)
      copyFileSync(join(dir, 'kit', 'mine.onnx'), join(out, `${id}.onnx`))
      copyFileSync(join(dir, 'kit', 'mine.reference.json'), join(out, card.reference.file))
      writeFileSync(join(out, `${id}.card.json`), JSON.stringify(card))
      return join(out, `${id}.onnx`)
    }
    const tampered = await cli('predict', '--project', 'study.meproj', '--model', stage('tampered', (c) => (c.file.sha256 = '0'.repeat(64))), '--out', 't.csv')
    expect(tampered.code).toBe(1)
    expect(tampered.stderr).toMatch(/its sha256 is [0-9a-f]{64}, its card says 0{64}/)

    // the class the reference's first sample scores highest, swapped with its neighbour
    const expected = (JSON.parse(readFileSync(join(dir, 'kit', 'mine.reference.json'), 'utf8')) as { predicted: string[] }).predicted[0]!
    const swap = (classes: string[]): string[] => {
      const i = classes.indexOf(expected)
      const j = (i + 1) % classes.length
      const out = [...classes]
      ;[out[i], out[j]] = [classes[j]!, classes[i]!]
      return out
    }
    const swapped = await cli('predict', '--project', 'study.meproj', '--model', stage('swapped', (c) => (c.classes = swap(c.classes))), '--out', 's.csv')
    expect(swapped.code).toBe(1)
    expect(swapped.stderr).toContain(`reference sample 0: expected "${expected}", got "`)
    expect(swapped.stderr).toContain('likely cause: class order differs')
  }, 60_000)
})
