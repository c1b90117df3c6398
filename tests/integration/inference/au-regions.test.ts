// AU regions for the attention check from the onset frame's landmarks (real face detector on the
// bundled photo) and from the synthetic generator's ground truth.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { frameToInput, groundTruthRegions, landmarkRegions } from '../../../src/main/services/inference/au-regions'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'

const FACE = resolve(import.meta.dirname, '../../../resources/faces/astronaut.png')
// Face detection runs in a vision worker, as in the app.
const pool = new VisionPool({ ...visionWorkerLocation(new URL('../../../src/main/workers/vision-worker-location.ts', import.meta.url).href), size: 1 })
afterAll(() => pool.destroy())

describe('AU regions', () => {
  it('finds the lip regions of AU12 and the brow regions of AU4 on a real face, scaled to the model input', async () => {
    const { data, info } = await sharp(FACE).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const onset = { width: info.width, height: info.height, channels: 3 as const, data: new Uint8Array(data) }
    const input = frameToInput(onset, { width: 112, height: 112 }, null)
    const lips = await landmarkRegions(onset, [12], input, pool)
    expect(lips.source).toBe('landmarks')
    expect(lips.regions.map((r) => r.name).sort()).toEqual(['lips: left-mouth-corner', 'lips: lips', 'lips: right-mouth-corner'])
    const brows = await landmarkRegions(onset, [4], input, pool)
    expect(brows.regions.map((r) => r.name).sort()).toEqual(['brows: glabella', 'brows: left-brow', 'brows: right-brow'])
    // Brows sit above the lips, everything inside the input.
    const meanY = (set: typeof lips) => set.regions.flatMap((r) => r.polygon.map(([, y]) => y)).reduce((a, b, _, all) => a + b / all.length, 0)
    expect(meanY(brows)).toBeLessThan(meanY(lips))
    for (const [x, y] of [...lips.regions, ...brows.regions].flatMap((r) => r.polygon)) {
      expect(x).toBeGreaterThan(-1)
      expect(x).toBeLessThan(113)
      expect(y).toBeGreaterThan(-1)
      expect(y).toBeLessThan(113)
    }
    expect((await landmarkRegions(onset, [], input, pool)).source).toBe('none')
  }, 120_000)

  it("uses the generator's ground-truth boxes for synthetic clips", async () => {
    const root = mkdtempSync(join(tmpdir(), 'me-truth-'))
    mkdirSync(join(root, 'sub01', 'EP01_01'), { recursive: true })
    const sample = { path: 'sub01/EP01_01', width: 256, height: 256, action: 'AU12', regions: [{ name: 'left mouth corner', box: [128, 128, 192, 160] }] }
    writeFileSync(join(root, 'ground-truth.json'), JSON.stringify({ samples: [sample] }))
    const toInput = frameToInput({ width: 256, height: 256 }, { width: 112, height: 112 }, null)
    const set = await groundTruthRegions(join(root, 'sub01', 'EP01_01'), toInput)
    expect(set?.source).toBe('ground-truth')
    expect(set?.regions[0]!.polygon).toEqual([[56, 56], [84, 56], [84, 70], [56, 70]])
    expect(await groundTruthRegions(join(root, 'sub01', 'other'), toInput)).toBeNull()
    // Aligned crops map through the onset similarity: here a 2× zoom shifted by (−10, 0).
    const aligned = frameToInput({ width: 256, height: 256 }, { width: 112, height: 112 }, { a: 2, b: 0, tx: -10, ty: 0 })
    expect((await groundTruthRegions(join(root, 'sub01', 'EP01_01'), aligned))?.regions[0]!.polygon[0]).toEqual([246, 256])
  })
})
