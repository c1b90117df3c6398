// The inference service end to end with the real onnxruntime-node on the untrained Off-TANet
// fixture: registry validation, provider fallback on this machine, input building and caching,
// attention outputs, per-sample errors.
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { apexSpotter } from '../../../src/main/services/inference/apex-spotting'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'
import { InputBuilder } from '../../../src/main/services/inference/inputs'
import { InferenceService } from '../../../src/main/services/inference/predict'
import { ModelRegistry } from '../../../src/main/services/inference/registry'
import { ortSessionFactory } from '../../../src/main/services/inference/onnx-session'
import { SessionCache } from '../../../src/main/services/inference/session-cache'
import { inlineVisionCompute } from '../../../src/main/services/inference/vision-compute'
import { INFERENCE_FIXTURES, OFF_TANET_ONNX, offTanetCardJson, syntheticSample } from '../../helpers/inference-fixture'

function service(bundledDir = INFERENCE_FIXTURES) {
  const notices: string[] = []
  const registry = new ModelRegistry({ bundledDir, userDir: mkdtempSync(join(tmpdir(), 'me-user-models-')), factory: ortSessionFactory })
  const inputs = new InputBuilder({ compute: inlineVisionCompute })
  const inference = new InferenceService({ registry, sessions: new SessionCache(ortSessionFactory, (m) => notices.push(m)), inputs, platform: 'linux' })
  return { inference, registry, inputs, notices }
}

describe('inference service on a real ONNX model', () => {
  const ctx = service()

  beforeAll(async () => {
    expect((await ctx.registry.list()).map((m) => [m.id, m.problem])).toEqual([['off_tanet-untrained', null]])
  })

  it('predicts: softmax probabilities, the provider actually used, every declared attention output', async () => {
    const p = await ctx.inference.predictSample(syntheticSample(), 'off_tanet-untrained')
    expect(p.probabilities).toHaveLength(3)
    expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6)
    expect(p.predictedClass).toBe(p.classes[p.predictedIndex])
    // This machine has no CUDA/TensorRT libraries (both fail for real) and no GPU device (WebGPU
    // would be a software Vulkan, not tried automatically): the CPU runs the model.
    expect(p.provider).toBe('cpu')
    expect(p.fallbacks.map((f) => f.provider)).toEqual(['cuda', 'tensorrt', 'webgpu'])
    expect(ctx.notices.some((n) => n.includes('"cuda" could not be initialised'))).toBe(true)
    expect(p.attention.map((a) => [a.name, a.shape])).toEqual([
      ['channel_attention', [1, 28]],
      ['spatial_attention', [1, 1, 14, 14]],
      ['self_attention', [1, 4, 7, 14, 14]],
    ])
    expect(p.input.apex).toEqual({ index: 6, source: 'annotated' })
    expect(p.input.faceCrop).toMatchObject({ width: 112, height: 112, channels: 1 })
    expect(p.timings.inferenceMs).toBeGreaterThan(0)
    expect(p.timings.preprocessMs).toBeGreaterThan(0)
    expect(ctx.inference.prediction(p.id)).toBe(p)
  })

  it('reuses cached inputs and flow: same recipe → tensor hit; another strain variant → flow hit', async () => {
    const sample = syntheticSample({ key: 'cache-check' })
    const card = (await ctx.registry.get('off_tanet-untrained')).card
    const before = ctx.inputs.cacheStats()
    const a = await ctx.inputs.buildInput(sample, card)
    const b = await ctx.inputs.buildInput(sample, { ...card, id: 'other_model_same_recipe' })
    expect(b.recipeId).toBe(a.recipeId)
    expect(b.cached).toBe(true)
    expect(b.data).toBe(a.data)
    const standard = { ...card, preprocessing: { ...card.preprocessing, strain: { variant: 'standard' as const, derivative: 'sobel3-div8-reflect101' as const } } }
    const c = await ctx.inputs.buildInput(sample, standard)
    expect(c.recipeId).not.toBe(a.recipeId)
    const after = ctx.inputs.cacheStats()
    expect(after.misses.flow - before.misses.flow).toBe(1)
    expect(after.hits.flow - before.hits.flow).toBe(1)
    expect(after.hits.tensor - before.hits.tensor).toBe(1)
    expect(sample.reads.sort()).toEqual([1, 6])
  })

  it('reports the flow magnitude of the input on request (from the cached flow)', async () => {
    const plain = await ctx.inference.predictSample(syntheticSample({ key: 'flow-summary' }), 'off_tanet-untrained')
    expect(plain.input.flowMagnitude).toBeUndefined()
    const p = await ctx.inference.predictSample(syntheticSample({ key: 'flow-summary' }), 'off_tanet-untrained', { flowSummary: true })
    expect(p.input.flowMagnitude).toHaveLength(1)
    expect(p.input.flowMagnitude![0]).toBeGreaterThan(0)
    expect(Number.isFinite(p.input.flowMagnitude![0])).toBe(true)
  })

  it('says which apex it used when none is coded', async () => {
    const p = await ctx.inference.predictSample(syntheticSample({ key: 'no-apex', apex: null }), 'off_tanet-untrained')
    expect(p.input.apex).toEqual({ index: 6, source: 'middle-frame' })
    expect(p.input.warnings[0]).toContain('middle frame 6')
  })

  it('spots the apex when none is coded, with the vision module', async () => {
    const pool = new VisionPool({ ...visionWorkerLocation(), size: 1 })
    const inputs = new InputBuilder({ compute: inlineVisionCompute, spotApex: apexSpotter(pool) })
    const built = await inputs.buildInput(syntheticSample({ key: 'spot', apex: null }), (await ctx.registry.get('off_tanet-untrained')).card).finally(() => pool.destroy())
    expect(built.apex?.source).toBe('spotted')
    expect(Math.abs(built.apex!.index - 6)).toBeLessThanOrEqual(1)
    expect(built.warnings[0]).toContain('found by spotting')
  })

  it('turns bad samples into specific per-sample errors', async () => {
    await expect(ctx.inference.predictSample(syntheticSample({ key: 'corrupt', corrupt: [6] }), 'off_tanet-untrained')).rejects.toMatchObject({
      code: 'media/corrupt',
      message: expect.stringContaining('frame 6 cannot be decoded'),
    })
    await expect(ctx.inference.predictSample(syntheticSample({ key: 'short', frames: 8, offset: 10 }), 'off_tanet-untrained')).rejects.toMatchObject({
      code: 'media/missing-frames',
    })
    await expect(ctx.inference.predictSample(syntheticSample(), 'nope')).rejects.toMatchObject({ code: 'not-found' })
  })
})

describe('model registry refusals on a real ONNX file', () => {
  /**
   * The untrained Off-TANet with its card changed by `mutate`, in the added models' folder (whose
   * cards are checked against their file's signature) or the bundled one.
   */
  function withCard(mutate: (card: Record<string, unknown>) => void, folder: 'user' | 'bundled' = 'user') {
    const dir = mkdtempSync(join(tmpdir(), 'me-models-'))
    const [bundledDir, userDir] = [join(dir, 'bundled'), join(dir, 'user')]
    mkdirSync(join(dir, folder))
    copyFileSync(OFF_TANET_ONNX, join(dir, folder, 'off_tanet-untrained.onnx'))
    const card = offTanetCardJson()
    mutate(card)
    writeFileSync(join(dir, folder, 'off_tanet-untrained.card.json'), JSON.stringify(card))
    return new ModelRegistry({ bundledDir, userDir, factory: ortSessionFactory })
  }

  it('refuses a card whose input or outputs disagree with the file, naming each difference', async () => {
    const registry = withCard((card) => {
      const input = card.input as { shape: number[] }
      input.shape = [-1, 3, 128, 128]
      const outputs = card.outputs as { attention: { name: string }[] }
      outputs.attention[0]!.name = 'channel_weights'
    })
    const [model] = await registry.list()
    expect(model!.problem?.code).toBe('model/mismatch')
    expect(model!.problem?.message).toContain('input "input": axis 2 is 128 in the card but 112 in the ONNX file')
    expect(model!.problem?.message).toContain('output "channel_weights" (attention (channel)) is declared in the card but missing from the ONNX file')
    expect(model!.problem?.message).toContain('output "channel_attention" of the ONNX file is not declared in the card')
    await expect(registry.get(model!.id)).rejects.toMatchObject({ code: 'model/mismatch' })
  })

  it('refuses a class list that does not fit the logits, and a file that is not the one the card hashed', async () => {
    const classes = withCard((card) => {
      card.classes = ['a', 'b', 'c', 'd']
    })
    expect((await classes.list())[0]!.problem?.message).toContain('scores 3 classes, the card lists 4')
    const hashed = withCard((card) => {
      ;(card.file as { sha256: string }).sha256 = 'f'.repeat(64)
    })
    expect((await hashed.list())[0]!.problem?.message).toMatch(/sha256 of off_tanet-untrained.onnx is [0-9a-f]{64}, the card says f{64}/)
  })

  it('refuses an invalid card with the schema path of each issue', async () => {
    const registry = withCard((card) => {
      delete card.classes
      ;(card.input as { kind: string }).kind = 'optical-flow'
    })
    const problem = (await registry.list())[0]!.problem!
    expect(problem.code).toBe('model/invalid-card')
    expect(problem.message).toContain('classes:')
    expect(problem.message).toContain('input.kind:')
  })

  it('checks a model\'s file when that model is asked for, not every model at load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-models-'))
    const userDir = join(dir, 'user')
    mkdirSync(userDir)
    copyFileSync(OFF_TANET_ONNX, join(userDir, 'off_tanet-untrained.onnx'))
    writeFileSync(join(userDir, 'off_tanet-untrained.card.json'), JSON.stringify(offTanetCardJson()))
    // A second model whose file does not match its card.
    copyFileSync(OFF_TANET_ONNX, join(userDir, 'other.onnx'))
    const other = { ...offTanetCardJson(), id: 'other', file: { ...(offTanetCardJson().file as object), name: 'other.onnx', sha256: 'f'.repeat(64) } }
    writeFileSync(join(userDir, 'other.card.json'), JSON.stringify(other))
    const opened: string[] = []
    const registry = new ModelRegistry({ bundledDir: join(dir, 'bundled'), userDir, factory: (path, provider) => (opened.push(path), ortSessionFactory(path, provider)) })
    expect((await registry.get('off_tanet-untrained')).problem).toBeNull()
    expect(opened).toEqual([join(userDir, 'off_tanet-untrained.onnx')])
    await registry.get('off_tanet-untrained')
    expect(opened).toHaveLength(1)
    await expect(registry.get('other')).rejects.toMatchObject({ code: 'model/mismatch' })
    expect((await registry.list()).map((m) => [m.id, m.problem?.code ?? null])).toEqual([
      ['off_tanet-untrained', null],
      ['other', 'model/mismatch'],
    ])
    expect(opened).toHaveLength(1)
  })

  it('checks a bundled model by its sha256 without opening it (its card and file are checked together when built)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-models-'))
    copyFileSync(OFF_TANET_ONNX, join(dir, 'off_tanet-untrained.onnx'))
    writeFileSync(join(dir, 'off_tanet-untrained.card.json'), JSON.stringify(offTanetCardJson()))
    const opened: string[] = []
    const registry = new ModelRegistry({ bundledDir: dir, userDir: join(dir, 'user'), factory: (path, provider) => (opened.push(path), ortSessionFactory(path, provider)) })
    expect((await registry.get('off_tanet-untrained')).problem).toBeNull()
    expect(opened).toEqual([])
    // Another file in its place is still refused.
    writeFileSync(join(dir, 'off_tanet-untrained.onnx'), Buffer.alloc(readFileSync(OFF_TANET_ONNX).length, 1))
    await registry.reload()
    await expect(registry.get('off_tanet-untrained')).rejects.toMatchObject({ code: 'model/mismatch', message: expect.stringMatching(/sha256 of off_tanet-untrained.onnx is [0-9a-f]{64}, the card says/) })
  })

  it('warms up: the session a prediction needs is opened (and warmed) once, ahead of it; an unknown model is left to the prediction', async () => {
    const opened: string[] = []
    const factory: typeof ortSessionFactory = (path, provider) => (opened.push(provider), ortSessionFactory(path, provider))
    const registry = new ModelRegistry({ bundledDir: INFERENCE_FIXTURES, userDir: mkdtempSync(join(tmpdir(), 'me-user-models-')), factory: ortSessionFactory })
    const inference = new InferenceService({ registry, sessions: new SessionCache(factory, () => undefined), inputs: new InputBuilder({ compute: inlineVisionCompute }), platform: 'linux' })
    await inference.warmUp('off_tanet-untrained', { provider: 'cpu' })
    expect(opened).toEqual(['cpu'])
    const p = await inference.predictSample(syntheticSample(), 'off_tanet-untrained', { provider: 'cpu' })
    expect(p.timings.warmupMs).toBeGreaterThan(0)
    expect(opened).toEqual(['cpu'])
    await expect(inference.warmUp('no-such-model')).resolves.toBeUndefined()
  })

  it('adds a user model with a card from the form, filling in the file facts', async () => {
    const registry = withCard(() => undefined, 'bundled')
    const card = { ...offTanetCardJson(), id: 'my_offtanet', file: { name: 'whatever.onnx', opset: 17 } }
    const added = await registry.add(OFF_TANET_ONNX, card)
    expect(added.source).toBe('user')
    expect(added.card.file.name).toBe('my_offtanet.onnx')
    expect(added.card.file.sha256).toMatch(/^[0-9a-f]{64}$/)
    await expect(registry.add(OFF_TANET_ONNX, { ...card, id: 'bad', classes: ['x', 'y'] })).rejects.toMatchObject({ code: 'model/mismatch' })
    await registry.reload()
    expect((await registry.list()).map((m) => [m.id, m.problem])).toEqual([
      ['off_tanet-untrained', null],
      ['my_offtanet', null],
    ])
  })

  it('identifies a model by id and sha256: its own file resolves to it, a card of another file or another file under its id is refused with both hashes', async () => {
    const registry = withCard(() => undefined, 'bundled')
    const [bundled] = await registry.list()
    const digest = bundled!.card!.file.sha256
    // An unknown id lists the known ones (`export --model ststnet` said only "No model with id").
    await expect(registry.get('off_tanet')).rejects.toMatchObject({ code: 'not-found', message: 'No model with id "off_tanet"; known ids: off_tanet-untrained' })
    // The bundled model's own .onnx and card (as `predict --model <path>` passes them): the bundled model itself.
    const again = await registry.add(bundled!.onnxPath, offTanetCardJson())
    expect([again.source, again.onnxPath, again.card.file.sha256]).toEqual(['bundled', bundled!.onnxPath, digest])
    // A card whose sha256 is not its file's is not rewritten to fit.
    const forged = { ...offTanetCardJson(), id: 'forged', file: { ...(offTanetCardJson().file as object), sha256: 'e'.repeat(64) } }
    await expect(registry.add(OFF_TANET_ONNX, forged)).rejects.toMatchObject({
      code: 'model/mismatch', message: `off_tanet-untrained.onnx: its sha256 is ${digest}, its card says ${'e'.repeat(64)}: the card is not this file's`,
    })
    // Another file (other weights) under the used id: refused, both hashes named.
    const dir = mkdtempSync(join(tmpdir(), 'me-other-'))
    const other = join(dir, 'retrained.onnx')
    copyFileSync(OFF_TANET_ONNX, other)
    appendFileSync(other, Buffer.from([0]))
    const error = await registry.add(other, { ...offTanetCardJson(), file: { name: 'retrained.onnx', opset: 17 } }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'conflict', message: expect.stringMatching(new RegExp(`^A bundled model already uses the id "off_tanet-untrained" with sha256 ${digest}; retrained\\.onnx has sha256 (?!${digest})[0-9a-f]{64}: give it another id in its card$`)) })
    // The card form's placeholder digest is the form's, not a claim: the file's own is written.
    const fromForm = await registry.add(OFF_TANET_ONNX, { ...offTanetCardJson(), id: 'from_form', file: { name: 'x.onnx', sha256: '0'.repeat(64), sizeBytes: 1, opset: 17 } }, { fromForm: true })
    expect(fromForm.card.file.sha256).toBe(digest)
    // Added once, the same file again resolves to the added model.
    expect((await registry.add(OFF_TANET_ONNX, { ...offTanetCardJson(), id: 'from_form', file: { name: 'x.onnx', opset: 17 } })).onnxPath).toBe(fromForm.onnxPath)
  })

  it('says a 0-byte .onnx is empty, whether added with a card, read for the card form, or registered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'me-models-'))
    const empty = join(dir, 'empty.onnx')
    writeFileSync(empty, '')
    const registry = new ModelRegistry({ bundledDir: dir, userDir: join(dir, 'user'), factory: ortSessionFactory })
    const said = { code: 'invalid-input', message: `${empty}: the model file is empty (0 bytes)` }
    await expect(registry.add(empty, { ...offTanetCardJson(), id: 'empty' })).rejects.toMatchObject(said)
    await expect(registry.signature(empty)).rejects.toMatchObject(said)
    const registered = withCard(() => undefined)
    const [model] = await registered.list()
    writeFileSync(model!.onnxPath, '')
    await registered.reload()
    expect((await registered.list())[0]!.problem).toMatchObject({ code: 'invalid-input', message: expect.stringContaining('the model file is empty') })
  })
})
