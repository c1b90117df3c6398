/**
 * Where the coded AUs act, in model-input pixels, for the attention check. Two sources:
 * - datasets from the synthetic generator: `ground-truth.json` at the dataset root records each
 *   sample's moving regions exactly (±2σ boxes in frame pixels);
 * - any other clip: the 68 landmarks of the onset frame (the vision module's face detector) and
 *   their facial regions (`auRegions`), kept where the AU catalogue places a coded AU.
 * Frame pixels map to input pixels by the recipe's geometry: a plain scale for frames used as
 * provided, the onset-frame similarity for aligned face crops (`frameToInput`).
 */
import { readFile } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { auInfo } from '@shared/domain/au'
import { boxPolygon, type Polygon } from '@shared/inference/attention'
import { applySimilarity, type SimilarityTransform } from '../../vision/face/align'
import { auRegions } from '../../vision/face/regions'
import type { SampleTruth } from '../synth/truth'
import type { PixelFrame } from '../../vision/recipe/opencv-exact'
import type { VisionPool } from '../../workers/vision-pool'
import { detectFace } from '../motion/face-alignment'

export interface AuRegionSet {
  source: 'ground-truth' | 'landmarks' | 'none'
  regions: { name: string; polygon: Polygon }[]
  note: string
}

type Size = { width: number; height: number }

/** Frame pixel → model-input pixel. */
export type PointMap = (x: number, y: number) => [number, number]

/** The input geometry of a prediction: the alignment similarity, or the whole-frame resize. */
export function frameToInput(frame: Size, input: Size, alignment: SimilarityTransform | null): PointMap {
  if (alignment) {
    return (x, y) => {
      const p = applySimilarity(alignment, { x, y })
      return [p.x, p.y]
    }
  }
  return (x, y) => [(x * input.width) / frame.width, (y * input.height) / frame.height]
}

/** Looks for the generator's `ground-truth.json` in the clip's folder and up to `maxLevels` parents; null when there is none. */
export async function groundTruthRegions(clipPath: string, toInput: PointMap, maxLevels = 4): Promise<AuRegionSet | null> {
  let dir = dirname(clipPath)
  for (let level = 0; level < maxLevels; level++) {
    let truth: { samples: SampleTruth[] } | null = null
    try {
      truth = JSON.parse(await readFile(join(dir, 'ground-truth.json'), 'utf8')) as { samples: SampleTruth[] }
    } catch {
      truth = null
    }
    if (truth) {
      const rel = relative(dir, clipPath).split(sep).join('/')
      const sample = truth.samples.find((s) => s.path === rel)
      if (!sample) return null
      return {
        source: 'ground-truth',
        regions: sample.regions.map((r) => ({ name: `${sample.action}: ${r.name}`, polygon: boxPolygon(r.box).map(([x, y]) => toInput(x, y)) })),
        note: `Moving regions of ${sample.action} recorded by the synthetic generator (centre ± 2σ).`,
      }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return null
}

/** Facial regions of the coded AUs from the onset frame's landmarks. */
export async function landmarkRegions(onset: PixelFrame, auNumbers: readonly number[], toInput: PointMap, pool: VisionPool): Promise<AuRegionSet> {
  const wanted = new Set(auNumbers.flatMap((au) => auInfo(au)?.region ?? []))
  if (wanted.size === 0) return { source: 'none', regions: [], note: 'No coded AUs with a facial region: nothing to check the attention against.' }
  // Gray or interleaved RGB: the detector tells them apart by the data length.
  const face = await detectFace(pool, { width: onset.width, height: onset.height, data: new Float32Array(onset.data) })
  if (!face) return { source: 'none', regions: [], note: 'No face found on the onset frame: AU regions unknown.' }
  const regions = auRegions(face.landmarks)
    .filter((r) => !r.reference && r.region !== 'face' && wanted.has(r.region))
    .map((r) => ({ name: `${r.region}: ${r.id}`, polygon: r.polygon.map((p) => toInput(p.x, p.y)) }))
  return {
    source: 'landmarks',
    regions,
    note: `Regions of AU ${auNumbers.join('+')} from the onset frame's 68 landmarks (detector score ${face.score.toFixed(2)}).`,
  }
}
