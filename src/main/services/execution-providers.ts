import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { release } from 'node:os'
import { basename, dirname, join } from 'node:path'

export interface ProviderAvailability {
  name: string
  bundled: boolean
}

/**
 * Execution-provider order the studio prefers on each platform (GPU first, CPU last).
 * The list reflects what onnxruntime-node can *try*; in the automatic order a GPU provider is used
 * for a model only once it has passed the parity gate and beaten CPU on it (see `parity.ts`), and
 * which one actually ran is reported per session by the inference service.
 */
export function preferredProviderOrder(platform: NodeJS.Platform): string[] {
  switch (platform) {
    case 'win32':
      return ['cuda', 'tensorrt', 'dml', 'webgpu', 'cpu']
    case 'darwin':
      return ['coreml', 'webgpu', 'cpu']
    default:
      return ['cuda', 'tensorrt', 'webgpu', 'cpu']
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
    : `${library} is not installed (onnxruntime-node downloads it only with ONNXRUNTIME_NODE_INSTALL_CUDA=v12; see the README's GPU section)`
}

/**
 * Why the automatic order does not even try `provider` here, when that is known without trying:
 * on Linux, WebGPU (Dawn on Vulkan) without a GPU device node can only run on a software Vulkan
 * (lavapipe, SwiftShader), 20–50× slower than CPU. Null when worth measuring. An explicit
 * `--provider webgpu` still runs it (that is how CI checks parity on lavapipe).
 */
export function autoSkipReason(provider: string, platform: NodeJS.Platform = process.platform, devices: () => string[] = gpuDeviceNodes): string | null {
  if (provider !== 'webgpu' || platform !== 'linux' || devices().length > 0) return null
  return 'no GPU device (/dev/dri/renderD*, /dev/nvidia*): WebGPU would run on a software Vulkan, slower than CPU'
}

let deviceNodes: string[] | null = null

/** GPU device nodes on Linux (read once: drivers do not come and go while the studio runs). */
function gpuDeviceNodes(): string[] {
  deviceNodes ??= listDeviceNodes()
  return deviceNodes
}

function listDeviceNodes(): string[] {
  const list = (dir: string, prefix: string) => {
    try {
      return readdirSync(dir).filter((f) => f.startsWith(prefix))
    } catch {
      return []
    }
  }
  return [...list('/dev/dri', 'renderD'), ...list('/dev', 'nvidia').filter((f) => /^nvidia\d+$/.test(f))]
}

/**
 * A fingerprint of the driver below `provider`, for the parity verdicts' key (a new driver is
 * checked again): the NVIDIA kernel driver version for CUDA/TensorRT, the Vulkan drivers installed
 * (manifest and API version) for WebGPU on Linux, else the OS release. onnxruntime-node does not
 * report the adapter it picked.
 */
export function providerDriver(provider: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (provider === 'cpu') return 'cpu'
  if (platform === 'linux' && (provider === 'cuda' || provider === 'tensorrt')) {
    return readFirstLine('/proc/driver/nvidia/version') ?? 'no NVIDIA kernel driver'
  }
  if (platform === 'linux' && provider === 'webgpu') {
    const explicit = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES
    const manifests = explicit
      ? explicit.split(':').filter(Boolean)
      : ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'].flatMap((dir) => {
          try {
            return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f))
          } catch {
            return []
          }
        })
    const drivers = manifests.map((m) => `${basename(m, '.json')}@${vulkanApiVersion(m)}`).sort()
    return `vulkan ${drivers.join(',') || 'none'}; devices ${gpuDeviceNodes().join(',') || 'none'}`
  }
  return `${platform} ${release()}`
}

function vulkanApiVersion(manifest: string): string {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { ICD?: { api_version?: string } }).ICD?.api_version ?? '?'
  } catch {
    return '?'
  }
}

function readFirstLine(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').split('\n')[0]!.trim() || null
  } catch {
    return null
  }
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

export function onnxRuntimeVersion(): string {
  try {
    const require = createRequire(import.meta.url)
    return (require('onnxruntime-node/package.json') as { version: string }).version
  } catch {
    return 'unknown'
  }
}
