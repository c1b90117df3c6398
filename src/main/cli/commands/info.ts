import { collectSystemInfo } from '../../services/system-info'
import { EXIT, defineCommand } from '../command'

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'Print versions, the ffmpeg found (and how) and the onnxruntime execution providers.',
  usage: '[--json]',
  help: `Options:
  --json   print the same facts as one JSON object`,
  options: { json: { type: 'boolean' } },
  positionals: [0, 0],
  async run({ values }, io) {
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
  },
})
