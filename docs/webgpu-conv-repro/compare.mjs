// Runs every ONNX file in a folder on onnxruntime-node's CPU and WebGPU providers with the same
// seeded input (uniform in [-1, 1), like the studio's parity probe) and prints the largest
// difference of each output relative to its scale, with graph optimisations on ('all') and off.
//
//   XDG_RUNTIME_DIR=$(mktemp -d) node docs/webgpu-conv-repro/compare.mjs DIR [model.onnx ...]
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(join(process.cwd(), 'package.json'))
const ort = require('onnxruntime-node')
const dir = process.argv[2]
const files = process.argv.length > 3 ? process.argv.slice(3) : readdirSync(dir).filter((f) => f.endsWith('.onnx')).sort()

function probe(n, seed = 0x5eed) {
  const out = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1
  }
  return out
}

for (const file of files) {
  const path = join(dir, file)
  for (const level of ['all', 'disabled']) {
    const results = {}
    for (const ep of ['cpu', 'webgpu']) {
      const session = await ort.InferenceSession.create(path, { executionProviders: [ep], graphOptimizationLevel: level })
      const feeds = {}
      for (const name of session.inputNames) {
        const meta = session.inputMetadata.find((m) => m.name === name)
        const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1))
        feeds[name] = new ort.Tensor('float32', probe(dims.reduce((a, b) => a * b, 1)), dims)
      }
      results[ep] = await session.run(feeds)
      await session.release()
    }
    const parts = Object.keys(results.cpu).filter((k) => results.cpu[k].type === 'float32').map((k) => {
      const a = results.cpu[k].data
      const b = results.webgpu[k].data
      let diff = 0
      let scale = 0
      let worst = 0
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i])
        if (d > diff) [diff, worst] = [d, i]
        scale = Math.max(scale, Math.abs(a[i]))
      }
      return `${k}: max|Δ| ${diff.toExponential(2)} = ${(diff / scale).toExponential(2)} of scale ${scale.toPrecision(3)} (at flat index ${worst})`
    })
    console.log(`${file} [optimisation ${level}] ${parts.join('; ')}`)
  }
}
