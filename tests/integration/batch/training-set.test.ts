import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseModelCard } from '@shared/domain/model-card'
import { Project } from '../../../src/main/services/project/project'
import { BatchStore } from '../../../src/main/services/batch/store'
import { encodeNpy } from '../../../src/main/services/export/npy'
import { exportTrainingSet, type TrainingInputSource, type TrainingRecipe } from '../../../src/main/services/export/training-set'
import { createBatchProject } from '../../helpers/batch-fixture'

const root = resolve(import.meta.dirname, '../../..')
const dir = mkdtempSync(join(tmpdir(), 'me-trainset-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const python = '/usr/bin/python3'

const ststnetDemo = parseModelCard(JSON.parse(readFileSync(join(root, 'resources/models/ststnet-demo.card.json'), 'utf8')))
if (!ststnetDemo.ok) throw new Error(ststnetDemo.issues.join('\n'))

/** Inputs whose values encode (sample id, position), so the test can check every byte landed where the manifest says. */
const source: TrainingInputSource = {
  async recipes(refs) {
    return refs.map((modelId): TrainingRecipe => ({ modelId, recipeId: `recipe-${modelId}`, inputShape: [3, 4, 5], card: ststnetDemo.card }))
  },
  async buildInput(sample) {
    if (sample.name === 'EP03_02') throw new Error('corrupt frame')
    const data = Float32Array.from({ length: 60 }, (_, i) => sample.sampleId * 1000 + i - 0.5)
    return { data, shape: [3, 4, 5], frames: { onset: 100, apex: 110, offset: 125, source: 'coded' } }
  },
}

describe('training-set export', () => {
  it('writes NPY v1.0 that numpy reads exactly', () => {
    const npy = encodeNpy(Float32Array.from([1.5, -2, 3.25, 0, 1e-7, 65504]), [2, 3])
    expect((10 + new DataView(npy.buffer).getUint16(8, true)) % 64).toBe(0)
    if (!existsSync(python)) return
    const out = execFileSync(python, ['-c', 'import sys, io, numpy as np; a = np.load(io.BytesIO(sys.stdin.buffer.read())); print(a.dtype, a.shape, a.flags["C_CONTIGUOUS"], a.tolist())'], { input: npy }).toString()
    expect(out.trim()).toBe("float32 (2, 3) True [[1.5, -2.0, 3.25], [0.0, 1.0000000116860974e-07, 65504.0]]")
  })

  it('writes manifest, inputs and LOSO folds in the format the models kit reads', async () => {
    const project = await createBatchProject(join(dir, 'p.meproj'), { datasets: ['CASME II', 'SAMM'] })
    const out = join(dir, 'export')
    const result = await exportTrainingSet(new BatchStore(project), source, { outDir: out, modelRefs: ['ststnet-demo'], selection: { coded: 'any' }, labels: 'megc' })
    project.close()
    expect(result.failed.length).toBeGreaterThan(0)
    expect(result.failed.every((f) => f.sample.endsWith('/sub02/EP03_02') && f.error.message === 'corrupt frame')).toBe(true)
    expect(result.skipped.uncoded).toBe(3)
    const manifest = readFileSync(join(out, 'manifest.csv'), 'utf8').split('\r\n')
    expect(manifest[0]).toBe('dataset,subject,sample,label,onset,apex,offset,input')
    expect(manifest[1]).toMatch(/^CASME II,sub01,EP01_01,(negative|positive|surprise),100,110,125,inputs\/CASME_II__sub01__EP01_01\.npy$/)
    expect(readdirSync(join(out, 'inputs'))).toHaveLength(result.folders[0]!.samples)
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([])
    expect(readFileSync(join(out, 'folds.csv'), 'utf8').split('\r\n').slice(0, 3)).toEqual(['fold,dataset,subject,samples', expect.stringMatching(/^0,CASME II,sub01,\d$/), expect.stringMatching(/^1,CASME II,sub02,\d$/)])

    const again = await Project.open(join(dir, 'p.meproj'), { keepBackups: 0 })
    await expect(exportTrainingSet(new BatchStore(again), source, { outDir: out, modelRefs: ['x'], selection: { coded: 'any' }, labels: 'megc' })).rejects.toMatchObject({ code: 'export/target-exists' })
    // Asked to, it replaces its own earlier export as a whole, but never a folder of other files.
    const replaced = await exportTrainingSet(new BatchStore(again), source, { outDir: out, overwrite: true, modelRefs: ['ststnet-demo'], selection: { coded: 'any' }, labels: 'megc' })
    expect(replaced.folders[0]!.samples).toBe(result.folders[0]!.samples)
    const foreign = join(dir, 'foreign')
    mkdirSync(foreign)
    writeFileSync(join(foreign, 'thesis.tex'), 'keep me')
    await expect(exportTrainingSet(new BatchStore(again), source, { outDir: foreign, overwrite: true, modelRefs: ['ststnet-demo'], selection: { coded: 'any' }, labels: 'megc' })).rejects.toMatchObject({ code: 'invalid-input' })
    expect(readdirSync(foreign)).toEqual(['thesis.tex'])
    again.close()

    if (!existsSync(python)) return
    // The kit's own loader and fold maker read the export.
    const script = [
      'import sys, numpy as np',
      'from models.train import load_manifest, make_folds',
      'rows, skipped = load_manifest(sys.argv[1])',
      'assert all(r["x"].shape == (3, 4, 5) and r["x"].dtype == np.float32 for r in rows)',
      'assert all(abs(float(r["x"][0, 0, 1]) - float(r["x"][0, 0, 0]) - 1) < 1e-6 for r in rows)',
      'folds = make_folds(rows, "loso")',
      'print(len(rows), skipped, len(folds), folds[0][0])',
    ].join('\n')
    const printed = execFileSync(python, ['-c', script, out], { cwd: root }).toString().trim()
    expect(printed).toBe(`${result.folders[0]!.samples} 0 6 CASME II/sub01`)
    // The export records its card's recipe; the kit accepts the config that declares it and names what differs in another.
    const recipeCheck = [
      'import sys',
      'from models.registry import MODELS',
      'from models.train import recipe_differences',
      'spec = MODELS["ststnet"]',
      'print(recipe_differences(sys.argv[1], spec, spec.configs["demo"]))',
      'print(recipe_differences(sys.argv[1], spec, spec.configs["paper"]))',
    ].join('\n')
    const [same, other] = execFileSync(python, ['-c', recipeCheck, out], { cwd: root }).toString().trim().split('\n')
    expect(same).toBe('[]')
    expect(other).toMatch(/^\['flow: export \["tvl1", "onset", \{.*\}, \[112, 112\]\], config \["tvl1", "onset", \{.*\}, \[28, 28\]\]'\]$/)
  }, 60_000)
})
