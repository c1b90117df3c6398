import { readFileSync, symlinkSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCsv } from '../../../src/main/services/formats/csv'
import type { GroundTruth } from '../../../src/main/services/synth/truth'
import { runCliCaptured } from '../../helpers/cli'
import { scratchDir } from '../../unit/project/project-fixture'
import { demoPhotoDir } from '../../unit/vision/real-faces'

/**
 * Issue 16's "done means" through the public CLI: `synth --faces DIR` on real photos of several
 * people (face-api's demo photos, read where npm installed them) makes a dataset in which every
 * subject is a different person; `import` and `predict` then work on it like on any dataset.
 */
const scratch = scratchDir('me-faces-predict-')
afterAll(() => scratch.cleanup())

describe('a multi-identity dataset from real photos: synth --faces, import, predict', () => {
  it('gives 4 subjects 4 different people, imports all 8 clips and predicts each with two models', async () => {
    const faces = join(scratch.dir, 'faces')
    mkdirSync(faces)
    // Two group photos with five usable faces between them (tests/unit/synth/faces.test.ts).
    for (const file of ['sample1.jpg', 'sample3.jpg']) symlinkSync(join(demoPhotoDir(), file), join(faces, file))
    const data = join(scratch.dir, 'data')

    const synth = await runCliCaptured(['synth', data, '--faces', faces, '--subjects', '4', '--samples-per-subject', '2', '--seed', '5'], scratch.dir)
    expect(synth.code, synth.stderr).toBe(0)
    const truth = JSON.parse(readFileSync(join(data, 'ground-truth.json'), 'utf8')) as GroundTruth
    const identities = truth.subjects.map((s) => s.identity)
    expect(new Set(identities).size).toBe(4)
    for (const identity of identities) expect(identity).toMatch(/^sample[13]\.jpg#\d$/)

    const project = join(scratch.dir, 'faces.meproj')
    const imported = await runCliCaptured(['import', data, '--project', project], scratch.dir)
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toMatch(/samples +8 in 4 subjects/)

    const out = join(scratch.dir, 'preds.csv')
    const predicted = await runCliCaptured(['predict', '--project', project, '--model', 'ststnet-demo,off_tanet-demo', '--out', out], scratch.dir)
    expect(predicted.code, predicted.stderr).toBe(0)
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'))
    const col = (name: string) => header!.indexOf(name)
    expect(rows).toHaveLength(16)
    for (const row of rows) {
      expect(row[col('error_code')], row.join(',')).toBe('')
      expect(['negative', 'positive', 'surprise']).toContain(row[col('predicted_label')])
    }
    // Every subject's clips were predicted: the dataset's subjects are the four people.
    expect(new Set(rows.map((r) => r[col('subject')])).size).toBe(4)
  }, 300_000)
})
