// `me-studio info --providers`: the model × provider table, checked for real (the session worker,
// the parity gate), with verdicts cached under the data dir. One small bundled model keeps it fast;
// the whole zoo on lavapipe is webgpu-parity.test.ts.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatProviderTable } from '../../../src/main/cli/commands/info'
import { runCli } from '../../../src/main/cli/run'

const BUNDLED = resolve(import.meta.dirname, '../../../resources/models')

async function info(env: Record<string, string>) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(['info', '--providers'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false, env: { ...process.env, ...env }, cwd: process.cwd() })
  return { code, stdout, stderr }
}

describe('me-studio info --providers', () => {
  it("keeps info's lines and adds one row per model with every provider's standing, cached on disk", async () => {
    const resources = mkdtempSync(join(tmpdir(), 'me-resources-'))
    mkdirSync(join(resources, 'models'))
    for (const f of ['ststnet-demo.onnx', 'ststnet-demo.card.json', 'ststnet-demo.reference.json']) copyFileSync(join(BUNDLED, f), join(resources, 'models', f))
    const data = mkdtempSync(join(tmpdir(), 'me-data-'))
    const env = { ME_STUDIO_RESOURCES: resources, ME_STUDIO_DATA_DIR: data, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), 'me-xdg-')) }
    const { code, stdout } = await info(env)
    expect(code).toBe(0)
    expect(stdout).toMatch(/^ME Studio \d+\.\d+\.\d+/)
    expect(stdout).toMatch(/^onnxruntime \S+$/m)
    const header = stdout.split('\n').find((l) => l.startsWith('model '))!
    expect(header.split(/\s+/)).toEqual(['model', 'cuda', 'tensorrt', 'webgpu', 'cpu'])
    const row = stdout.split('\n').find((l) => l.startsWith('ststnet-demo '))!
    expect(row).toMatch(/^ststnet-demo +unavailable +unavailable +(pass \[1\]|unavailable) +reference$/)
    expect(stdout).toContain('cuda unavailable: libonnxruntime_providers_cuda.so is not installed')
    if (row.includes('pass')) {
      expect(stdout).toMatch(/^\[1\] ststnet-demo on webgpu: matches CPU \(\S+ ms per probe run against \S+ ms on CPU\); /m)
      const verdicts = JSON.parse(readFileSync(join(data, 'cache', 'provider-verdicts.json'), 'utf8')) as Record<string, { status: string }>
      expect(Object.values(verdicts).map((v) => v.status)).toEqual(['pass'])
    } else expect(existsSync(join(data, 'cache', 'provider-verdicts.json'))).toBe(false)
  }, 120_000)
})

describe('formatProviderTable', () => {
  it('aligns the columns and footnotes verdicts, unavailable providers once', () => {
    const lines = formatProviderTable([
      ['off_tanet-demo', [
        { provider: 'cuda', status: 'unavailable', detail: 'not installed', automatic: false, verdict: null },
        { provider: 'webgpu', status: 'pinned', detail: 'pinned to CPU: output "logits" differs', automatic: false, verdict: null },
        { provider: 'cpu', status: 'reference', detail: '', automatic: true, verdict: null },
      ]],
      ['ststnet-demo', [
        { provider: 'cuda', status: 'unavailable', detail: 'not installed', automatic: false, verdict: null },
        { provider: 'webgpu', status: 'pass', detail: 'matches CPU; faster', automatic: true, verdict: null },
        { provider: 'cpu', status: 'reference', detail: '', automatic: true, verdict: null },
      ]],
    ])
    expect(lines.slice(1)).toEqual([
      'model           cuda         webgpu             cpu',
      'off_tanet-demo  unavailable  PINNED to cpu [1]  reference',
      'ststnet-demo    unavailable  pass, auto [2]     reference',
      '[1] off_tanet-demo on webgpu: pinned to CPU: output "logits" differs',
      '[2] ststnet-demo on webgpu: matches CPU; faster',
      'cuda unavailable: not installed',
    ])
  })
})
