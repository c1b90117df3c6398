import { defineCommand } from '../command'

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'Print versions, the ffmpeg found (and how) and the onnxruntime execution providers.',
  usage: '[--json]',
  help: `Options:
  --json   print the same facts as one JSON object`,
  options: { json: { type: 'boolean' } },
  positionals: [0, 0],
  load: async () => (await import('./info')).run,
})
