import { createRequire } from 'node:module'

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

export interface OrtInfo {
  version: string
  providers: { name: string; bundled: boolean; preferred: boolean }[]
}

/** What onnxruntime-node reports for this platform, annotated with the studio's preference order. */
export async function describeOnnxRuntime(platform: NodeJS.Platform = process.platform): Promise<OrtInfo> {
  const ort = await import('onnxruntime-node')
  const listed: ProviderAvailability[] = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }]
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
