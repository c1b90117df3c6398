import { describe, expect, it } from 'vitest'
import { autoSkipReason, missingProviderLibrary, providerCandidates, providerDriver } from '../../../src/main/services/execution-providers'

describe('execution providers', () => {
  it('orders GPU providers first per platform, CPU last, a user override first', () => {
    expect(providerCandidates('linux')).toEqual(['cuda', 'tensorrt', 'webgpu', 'cpu'])
    expect(providerCandidates('darwin')).toEqual(['coreml', 'webgpu', 'cpu'])
    expect(providerCandidates('win32').at(-1)).toBe('cpu')
    expect(providerCandidates('linux', 'cpu')).toEqual(['cpu', 'cuda', 'tensorrt', 'webgpu'])
  })

  it('keeps WebGPU out of the automatic order on Linux without a GPU device (a software Vulkan only)', () => {
    expect(autoSkipReason('webgpu', 'linux', () => [])).toMatch(/software Vulkan/)
    expect(autoSkipReason('webgpu', 'linux', () => ['renderD128'])).toBeNull()
    expect(autoSkipReason('webgpu', 'darwin', () => [])).toBeNull()
    expect(autoSkipReason('cuda', 'linux', () => [])).toBeNull()
  })

  it('fingerprints the driver under a provider for the parity verdicts', () => {
    expect(providerDriver('cpu')).toBe('cpu')
    expect(providerDriver('coreml', 'darwin')).toMatch(/^darwin /)
    // An explicit Vulkan driver list (as CI or a user may set) is the WebGPU fingerprint.
    expect(providerDriver('webgpu', 'linux', { VK_ICD_FILENAMES: '/nonexistent/lvp_icd.x86_64.json' })).toMatch(/^vulkan lvp_icd\.x86_64@\?; devices /)
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
