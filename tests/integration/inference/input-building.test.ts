// Input building through the studio's vision pool (workers run the recipe stages and the flow: one
// task per uncached sample)
// gives exactly the tensor of the inline path, and the on-disk flow cache serves a fresh builder.
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { InputBuilder } from '../../../src/main/services/inference/inputs'
import { inlineVisionCompute, poolVisionCompute, type VisionCompute } from '../../../src/main/services/inference/vision-compute'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'
import { offTanetCard, syntheticSample } from '../../helpers/inference-fixture'

const pool = new VisionPool({ ...visionWorkerLocation(new URL('../../../src/main/workers/vision-worker-location.ts', import.meta.url).href), size: 2 })
afterAll(() => pool.destroy())

describe('input building', () => {
  const card = offTanetCard()

  it('on the vision pool equals the inline computation bit for bit', async () => {
    const viaPool = await new InputBuilder({ compute: poolVisionCompute(pool) }).buildInput(syntheticSample({ key: 'pool' }), card)
    const inline = await new InputBuilder({ compute: inlineVisionCompute }).buildInput(syntheticSample({ key: 'pool' }), card)
    expect(viaPool.dims).toEqual([1, 3, 112, 112])
    expect(viaPool.data).toEqual(inline.data)
    expect(viaPool.faceCrop).toEqual(inline.faceCrop)
  })

  it('builds an uncached sample in one vision task and fills every stage cache from it', async () => {
    const calls: string[] = []
    const base = poolVisionCompute(pool)
    const counted: VisionCompute = {
      flow: (...a) => (calls.push('flow'), base.flow(...a)),
      prepare: (...a) => (calls.push('prepare'), base.prepare(...a)),
      assemble: (...a) => (calls.push('assemble'), base.assemble(...a)),
      build: (...a) => (calls.push('build'), base.build(...a)),
    }
    const builder = new InputBuilder({ compute: counted })
    const sample = syntheticSample({ key: 'one-task' })
    const a = await builder.buildInput(sample, card)
    expect(calls).toEqual(['build'])
    expect(a.cached).toBe(false)
    // Another strain variant: the frames and the flow come from the caches, only the tensor is assembled.
    const standard = { ...card, preprocessing: { ...card.preprocessing, strain: { variant: 'standard' as const, derivative: 'sobel3-div8-reflect101' as const } } }
    const b = await builder.buildInput(sample, standard)
    expect(calls).toEqual(['build', 'assemble'])
    expect(builder.cacheStats().hits).toMatchObject({ frames: 1, flow: 1 })
    expect(builder.cacheStats().misses).toMatchObject({ frames: 1, flow: 1, tensor: 2 })
    const inline = await new InputBuilder({ compute: inlineVisionCompute }).buildInput(syntheticSample({ key: 'one-task' }), standard)
    expect(b.data).toEqual(inline.data)
  })

  it('keeps the stages of a sample with its own store there, not in the shared cache, and still shares them between its models', async () => {
    const builder = new InputBuilder({ compute: inlineVisionCompute })
    const sample = { ...syntheticSample({ key: 'own-stages' }), stages: new Map<string, unknown>() }
    const a = await builder.buildInput(sample, card)
    expect(sample.stages.size).toBe(3) // prepared frames, flow, tensor
    // A second model on the same sample (another strain variant): frames and flow from the sample's store.
    const standard = { ...card, preprocessing: { ...card.preprocessing, strain: { variant: 'standard' as const, derivative: 'sobel3-div8-reflect101' as const } } }
    const b = await builder.buildInput(sample, standard)
    expect(builder.cacheStats()).toMatchObject({ bytes: 0, hits: { frames: 1, flow: 1 }, misses: { frames: 1, flow: 1, tensor: 2 } })
    expect(sample.reads.sort()).toEqual([1, 6])
    // The same sample without a store of its own builds again: nothing of it was left in the shared cache.
    const again = await builder.buildInput(syntheticSample({ key: 'own-stages' }), card)
    expect(again.cached).toBe(false)
    expect(again.data).toEqual(a.data)
    expect(b.data).not.toEqual(a.data)
  })

  it('concurrent requests for one sample share its single task', async () => {
    let builds = 0
    const base = poolVisionCompute(pool)
    const builder = new InputBuilder({ compute: { ...base, build: (...a) => (builds++, base.build(...a)) } })
    const [a, b] = await Promise.all([builder.buildInput(syntheticSample({ key: 'shared' }), card), builder.buildInput(syntheticSample({ key: 'shared' }), card)])
    expect(builds).toBe(1)
    expect(b.data).toBe(a.data)
  })

  it('reads flow back from the on-disk cache in a new builder (a later session)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-flow-cache-'))
    const first = new InputBuilder({ compute: inlineVisionCompute, diskCacheDir: dir })
    const a = await first.buildInput(syntheticSample({ key: 'disk' }), card)
    expect(readdirSync(dir).filter((f) => f.endsWith('.flo'))).toHaveLength(1)
    const second = new InputBuilder({ compute: { ...inlineVisionCompute, flow: () => Promise.reject(new Error('flow must come from the disk cache')) }, diskCacheDir: dir })
    const b = await second.buildInput(syntheticSample({ key: 'disk' }), card)
    expect(second.cacheStats().diskHits).toBe(1)
    expect(b.data).toEqual(a.data)
  })

  it('aligned face crops: one onset-frame similarity warps every frame before the recipe', async () => {
    const aligned = { ...card, preprocessing: { ...card.preprocessing, crop: { ...card.preprocessing.crop, method: 'aligned-face-crop' as const, alignment: '68-landmark-onset' as const } } }
    const seen: number[] = []
    // Scale 112/128 about the origin: the whole 128² frame lands in the 112² crop.
    const builder = new InputBuilder({
      compute: inlineVisionCompute,
      alignFace: async (onset, side) => {
        seen.push(onset.width, side)
        return { a: 112 / 128, b: 0, tx: 0, ty: 0 }
      },
    })
    const built = await builder.buildInput(syntheticSample({ key: 'aligned' }), aligned)
    expect(seen).toEqual([128, 112])
    expect(built.alignment).toEqual({ a: 112 / 128, b: 0, tx: 0, ty: 0 })
    expect(built.dims).toEqual([1, 3, 112, 112])
    const plain = await builder.buildInput(syntheticSample({ key: 'aligned' }), card)
    expect(plain.alignment).toBeNull()
    expect(built.recipeId).not.toBe(plain.recipeId)
    const noFace = new InputBuilder({ compute: inlineVisionCompute, alignFace: async () => null })
    await expect(noFace.buildInput(syntheticSample({ key: 'no-face' }), aligned)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('no face found on the onset frame 1') })
  })

  it('refuses a recipe it cannot follow with a specific error', async () => {
    const aligned = { ...card, preprocessing: { ...card.preprocessing, crop: { ...card.preprocessing.crop, method: 'aligned-face-crop' as const, alignment: '5-point-onset' as const } } }
    await expect(new InputBuilder({ compute: inlineVisionCompute }).buildInput(syntheticSample(), aligned)).rejects.toMatchObject({ code: 'model/run-failed', message: expect.stringContaining('no face aligner') })
    const oddChannel = { ...card, input: { ...card.input, channels: ['u', 'v', 'depth'] } }
    await expect(new InputBuilder({ compute: inlineVisionCompute }).buildInput(syntheticSample(), oddChannel)).rejects.toMatchObject({ code: 'model/mismatch', message: expect.stringContaining('"depth"') })
    const areaResize = { ...card, preprocessing: { ...card.preprocessing, crop: { ...card.preprocessing.crop, interpolation: 'area' as const } } }
    await expect(new InputBuilder({ compute: inlineVisionCompute }).buildInput(syntheticSample(), areaResize)).rejects.toMatchObject({ code: 'model/mismatch', message: expect.stringContaining('"area" interpolation') })
  })
})
