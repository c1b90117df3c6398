import { mkdtempSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readModelSignature, SessionHandoff } from '../../../src/main/services/inference/onnx-session'
import type { ModelSession, SessionFactory } from '../../../src/main/workers/inference-protocol'
import { SessionCache } from '../../../src/main/services/inference/session-cache'

function countingFactory() {
  const opened: string[] = []
  const released: string[] = []
  const factory: SessionFactory = async (path, provider) => {
    const name = `${path}|${provider}#${opened.length}`
    opened.push(name)
    const session: ModelSession = {
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 3] }],
      outputs: [{ name: 'logits', type: 'float32', shape: ['batch', 3] }],
      run: async () => ({ logits: { type: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) } }),
      release: async () => void released.push(name),
    }
    return session
  }
  return { factory, opened, released }
}

const request = { modelId: 'm', modelPath: '/m.onnx', input: { name: 'input', shape: [-1, 3] }, candidates: ['cpu'] }

describe('SessionHandoff', () => {
  it('the registry check and the first prediction open the model once', async () => {
    const { factory, opened, released } = countingFactory()
    const handoff = new SessionHandoff(factory)
    const signature = await readModelSignature(handoff.signatureFactory, '/m.onnx')
    expect(signature.inputs[0]!.name).toBe('input')
    const acquired = await new SessionCache(handoff.factory, () => undefined).acquire(request)
    expect(opened).toEqual(['/m.onnx|cpu#0'])
    expect(released).toEqual([])
    expect((await acquired.session.run({ input: { data: new Float32Array(3), dims: [1, 3] } })).logits!.dims).toEqual([1, 3])
    // Handed over once: a second open is a new session.
    await handoff.factory('/m.onnx', 'cpu')
    expect(opened).toHaveLength(2)
  })

  it('closes a kept session nobody takes (after keepMs, on dispose) and never hands over another file or provider', async () => {
    const { factory, opened, released } = countingFactory()
    const handoff = new SessionHandoff(factory, 20)
    await readModelSignature(handoff.signatureFactory, '/a.onnx')
    await handoff.factory('/a.onnx', 'cuda')
    await handoff.factory('/b.onnx', 'cpu')
    expect(opened).toEqual(['/a.onnx|cpu#0', '/a.onnx|cuda#1', '/b.onnx|cpu#2'])
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(released).toEqual(['/a.onnx|cpu#0'])
    await readModelSignature(handoff.signatureFactory, '/c.onnx')
    await handoff.dispose()
    expect(released).toEqual(['/a.onnx|cpu#0', '/c.onnx|cpu#3'])
  })

  it('never hands a kept session to a new file written over the same path (a confirmed new version)', async () => {
    const { factory, opened } = countingFactory()
    const handoff = new SessionHandoff(factory)
    const path = join(mkdtempSync(join(tmpdir(), 'me-handoff-')), 'm.onnx')
    writeFileSync(path, 'version 1')
    await readModelSignature(handoff.signatureFactory, path)
    const replacement = `${path}.tmp`
    writeFileSync(replacement, 'version 2, longer')
    renameSync(replacement, path)
    await handoff.factory(path, 'cpu')
    expect(opened).toHaveLength(2)
    await handoff.dispose()
  })
})
