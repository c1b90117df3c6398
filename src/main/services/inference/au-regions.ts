/**
 * AU regions for the attention check. For datasets from the synthetic generator, the moving
 * regions are known exactly: `ground-truth.json` at the dataset root records each sample's ±2σ
 * boxes in frame pixels. They are scaled to the model input (the recipe resizes whole frames).
 */
import { readFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { scaleBox, type Box } from '@shared/inference/attention'
import type { SampleTruth } from '../synth/truth'

export interface AuRegionBoxes {
  source: 'ground-truth' | 'none'
  regions: { name: string; box: Box }[]
  note: string
}

/** Looks for the generator's `ground-truth.json` in the clip's folder and up to `maxLevels` parents. */
export async function groundTruthRegions(clipPath: string, input: { width: number; height: number }, maxLevels = 4): Promise<AuRegionBoxes> {
  let dir = dirname(clipPath)
  for (let level = 0; level < maxLevels; level++) {
    const truthPath = join(dir, 'ground-truth.json')
    let truth: { width: number; height: number; samples: SampleTruth[] } | null = null
    try {
      truth = JSON.parse(await readFile(truthPath, 'utf8')) as { width: number; height: number; samples: SampleTruth[] }
    } catch {
      truth = null
    }
    if (truth) {
      const rel = relative(dir, clipPath).split(sep).join('/')
      const sample = truth.samples.find((s) => s.path === rel)
      if (!sample) return { source: 'none', regions: [], note: `ground-truth.json has no sample at ${rel}` }
      const frame = { width: sample.width, height: sample.height }
      return {
        source: 'ground-truth',
        regions: sample.regions.map((r) => ({ name: `${sample.action}: ${r.name}`, box: scaleBox(r.box, frame, input) })),
        note: `Moving regions of ${sample.action} recorded by the synthetic generator (centre ± 2σ).`,
      }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return { source: 'none', regions: [], note: 'No AU regions known for this sample (no generator ground truth; landmark-based regions need face alignment in the recipe).' }
}
