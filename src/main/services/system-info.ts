import { cpus } from 'node:os'
import type { SystemInfo } from '@shared/ipc'
import { describeOnnxRuntime } from './execution-providers'
import { locateFfmpeg, type FfmpegLocatorOptions } from './ffmpeg-locator'
// The bundler inlines just this field; package.json stays the one place the version is written.
import { version as APP_VERSION } from '../../../package.json'

/** Facts about the compute backend, shown in the status bar and printed by `me-studio info`. */
export async function collectSystemInfo(host: SystemInfo['host'], ffmpeg: FfmpegLocatorOptions = {}, ran: string[] = []): Promise<SystemInfo> {
  const [ffmpegInfo, ort] = await Promise.all([locateFfmpeg(ffmpeg), describeOnnxRuntime()])
  const versions: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.versions)) if (typeof value === 'string') versions[key] = value
  return {
    appVersion: APP_VERSION,
    host,
    platform: process.platform,
    arch: process.arch,
    versions,
    ffmpeg: ffmpegInfo,
    onnxruntime: { ...ort, ran },
    cpuCount: Math.max(1, cpus().length),
  }
}
