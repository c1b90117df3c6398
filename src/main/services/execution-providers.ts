import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export interface ProviderAvailability {
  name: string
  bundled: boolean
}

/**
 * Execution-provider order the studio prefers on each platform (GPU first, CPU last).
 * The list reflects what onnxruntime-node can *try*; which one actually ran is reported
 * per session by the inference service.
 */
export function preferredProviderOrder(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'win32':
      return ['cuda', 'tensorrt', 'dml', 'cpu']
    case 'darwin':
      return ['coreml', 'cpu']
    default:
      return ['cuda', 'tensorrt', 'cpu']
  }
}

/**
 * The providers to try, in order, for one session: the user's override first (when set), then
 * the platform order without it. CPU always closes the list, so a session can always open.
 */
export function providerCandidates(platform: NodeJS.Platform, override?: string | null): string[] {
  const order = preferredProviderOrder(platform)
  if (!override) return order
  return [override, ...order.filter((p) => p !== override)]
}

/** Provider libraries onnxruntime-node loads from its own bin folder when asked for these providers. */
const PROVIDER_LIBRARIES: Partial<Record<string, Partial<Record<NodeJS.Platform, string>>>> = {
  cuda: { linux: 'libonnxruntime_providers_cuda.so', win32: 'onnxruntime_providers_cuda.dll' },
  tensorrt: { linux: 'libonnxruntime_providers_tensorrt.so', win32: 'onnxruntime_providers_tensorrt.dll' },
}

/**
 * Why `provider` cannot start on this installation, when that is known without trying: CUDA and
 * TensorRT need provider libraries that onnxruntime-node downloads only on request. Returns null
 * when the provider is worth trying (its library is present, or it needs none).
 */
export function missingProviderLibrary(
  provider: string,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
  exists: (path: string) => boolean = existsSync,
  packageDir: string = onnxRuntimeDir(),
): string | null {
  const library = PROVIDER_LIBRARIES[provider]?.[platform]
  if (!library) return null
  // Packaged Electron apps keep native binaries outside app.asar.
  const dir = bindingDir(packageDir, platform, arch).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')
  return exists(join(dir, library))
    ? null
    : `${library} is not installed (onnxruntime-node downloads it only with ONNXRUNTIME_NODE_INSTALL_CUDA=v12; see the README's GPU notes)`
}

/** onnxruntime-node's folder of native binaries. */
function bindingDir(packageDir: string, platform: NodeJS.Platform, arch: string): string {
  return join(packageDir, 'bin', 'napi-v6', platform, arch)
}

function onnxRuntimeDir(): string {
  return dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'))
}

export interface OrtInfo {
  version: string
  providers: { name: string; bundled: boolean; preferred: boolean }[]
}

/** What onnxruntime-node reports for this platform, annotated with the studio's preference order. */
export async function describeOnnxRuntime(platform: NodeJS.Platform = process.platform): Promise<OrtInfo> {
  // The provider list comes from the native binding alone: importing onnxruntime-node also loads
  // onnxruntime-common and registers its backends, which `me-studio info` pays for at start-up.
  // Same path as onnxruntime-node's own require, so a later session reuses the loaded module.
  const binding = createRequire(import.meta.url)(join(bindingDir(onnxRuntimeDir(), process.platform, process.arch), 'onnxruntime_binding.node')) as {
    listSupportedBackends?: () => ProviderAvailability[]
  }
  const listed = binding.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }]
  const order = preferredProviderOrder(platform)
  const providers = listed
    .map((p) => ({ name: p.name, bundled: p.bundled, preferred: order.includes(p.name) }))
    .sort((a, b) => rank(order, a.name) - rank(order, b.name))
  return { version: onnxRuntimeVersion(), providers }
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name)
  return i === -1 ? order.length : i
}

function onnxRuntimeVersion(): string {
  try {
    const require = createRequire(import.meta.url)
    return (require('onnxruntime-node/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}
