import { collectSystemInfo } from '../../services/system-info'
import { EXIT, type CommandRun } from '../command'

export const run: CommandRun = async ({ values }, io) => {
  const info = await collectSystemInfo('cli')
  if (values.json) {
    io.stdout(JSON.stringify(info, null, 2) + '\n')
    return EXIT.ok
  }
  const lines = [
    `ME Studio ${info.appVersion}`,
    `node        ${info.versions.node ?? '?'} (${info.platform}-${info.arch}, ${info.cpuCount} cores)`,
    info.ffmpeg.found
      ? `ffmpeg      ${info.ffmpeg.version} at ${info.ffmpeg.path} (found via ${info.ffmpeg.source})`
      : `ffmpeg      NOT FOUND — ${info.ffmpeg.message}`,
    `onnxruntime ${info.onnxruntime.version}`,
    `providers   ${info.onnxruntime.providers.map((p) => `${p.name}${p.bundled ? '' : ' (not bundled)'}`).join(', ')}`,
  ]
  io.stdout(lines.join('\n') + '\n')
  return EXIT.ok
}
