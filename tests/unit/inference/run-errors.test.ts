import { describe, expect, it } from 'vitest'
import { InputBuilder } from '../../../src/main/services/inference/inputs'
import { InferenceService } from '../../../src/main/services/inference/predict'
import { ModelRegistry } from '../../../src/main/services/inference/registry'
import type { ModelSession, SessionFactory } from '../../../src/main/workers/inference-protocol'
import { SessionCache } from '../../../src/main/services/inference/session-cache'
import { inlineVisionCompute } from '../../../src/main/services/inference/vision-compute'
import { offTanetCard } from '../../helpers/inference-fixture'

/** A session whose warm-up passes and whose later runs do `behaviour`. */
function factoryWith(behaviour: (call: number) => Record<string, { type: string; dims: number[]; data: Float32Array }>): SessionFactory {
  let calls = 0
  return async () => {
    const session: ModelSession = {
      inputs: [],
      outputs: [],
      async run() {
        calls++
        if (calls === 1) return { logits: { type: 'float32', dims: [1, 3], data: new Float32Array(3) } } // warm-up
        return behaviour(calls)
      },
      async release() {},
    }
    return session
  }
}

function service(factory: SessionFactory) {
  return new InferenceService({
    registry: new ModelRegistry({ bundledDir: '/nonexistent', userDir: '/nonexistent', factory }),
    sessions: new SessionCache(factory, () => undefined),
    inputs: new InputBuilder({ compute: inlineVisionCompute }),
    platform: 'linux',
  })
}

const card = offTanetCard()
const input = { data: new Float32Array(3 * 112 * 112), dims: [1, 3, 112, 112] }

describe('a model that misbehaves is a per-sample error', () => {
  it('throwing at run time → model/run-failed naming the model and provider', async () => {
    const s = service(
      factoryWith(() => {
        throw new Error('Non-zero status code returned while running Conv node. Name:/block1/conv\nstack…')
      }),
    )
    await expect(s.runModel(card, '/x.onnx', input, { provider: 'cpu' })).rejects.toMatchObject({
      code: 'model/run-failed',
      message: 'Model "off_tanet-untrained" failed on cpu: Non-zero status code returned while running Conv node. Name:/block1/conv',
    })
  })

  it('missing logits or a declared attention output → model/mismatch', async () => {
    const noLogits = service(factoryWith(() => ({})))
    await expect(noLogits.runModel(card, '/x.onnx', input, { provider: 'cpu' })).rejects.toMatchObject({ code: 'model/mismatch' })
    const noAttention = service(factoryWith(() => ({ logits: { type: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) } })))
    await expect(noAttention.runModel(card, '/x.onnx', input, { provider: 'cpu' })).rejects.toMatchObject({
      code: 'model/mismatch',
      message: expect.stringContaining('"channel_attention"'),
    })
  })
})
