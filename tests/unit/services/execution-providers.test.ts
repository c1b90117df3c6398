import { describe, expect, it } from 'vitest'
import { missingProviderLibrary, providerCandidates } from '../../../src/main/services/execution-providers'

describe('execution providers', () => {
  it('orders GPU providers first per platform, CPU last, a user override first', () => {
    expect(providerCandidates('linux')).toEqual(['cuda', 'tensorrt', 'cpu'])
    expect(providerCandidates('darwin')).toEqual(['coreml', 'cpu'])
    expect(providerCandidates('win32').at(-1)).toBe('cpu')
    expect(providerCandidates('linux', 'cpu')).toEqual(['cpu', 'cuda', 'tensorrt'])
  })

  it('knows without trying when the CUDA/TensorRT provider library is not installed', () => {
    const none = () => false
    expect(missingProviderLibrary('cuda', 'linux', 'x64', none, '/pkg')).toMatch(/libonnxruntime_providers_cuda\.so is not installed/)
    expect(missingProviderLibrary('tensorrt', 'win32', 'x64', none, '/pkg')).toMatch(/onnxruntime_providers_tensorrt\.dll/)
    expect(missingProviderLibrary('cuda', 'linux', 'x64', (p) => p === '/pkg/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so', '/pkg')).toBeNull()
    // Providers bundled in the main library need no separate file.
    expect(missingProviderLibrary('cpu', 'linux', 'x64', none, '/pkg')).toBeNull()
    expect(missingProviderLibrary('dml', 'win32', 'x64', none, '/pkg')).toBeNull()
    expect(missingProviderLibrary('coreml', 'darwin', 'arm64', none, '/pkg')).toBeNull()
  })

  it('looks outside app.asar in a packaged app', () => {
    const seen: string[] = []
    missingProviderLibrary('cuda', 'linux', 'x64', (p) => (seen.push(p), false), '/opt/ME Studio/resources/app.asar/node_modules/onnxruntime-node')
    expect(seen[0]).toBe('/opt/ME Studio/resources/app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so')
  })

  it.runIf(process.platform === 'linux' && process.env.ONNXRUNTIME_NODE_INSTALL === 'skip')('where the CUDA download was skipped (CI), reports CUDA as not installed', () => {
    expect(missingProviderLibrary('cuda')).toMatch(/not installed/)
  })
})
