import { defineCommand } from '../command'

export const infoCommand = defineCommand({
  name: 'info',
  summary: 'Print versions, the ffmpeg found (and how) and the onnxruntime execution providers.',
  usage: '[--json] [--providers]',
  help: `Options:
  --json        print the same facts as one JSON object
  --providers   also a model × provider table: each model's parity with CPU on every provider
                that starts here (checked now where no verdict is cached; slow on a software GPU)`,
  options: { json: { type: 'boolean' }, providers: { type: 'boolean' } },
  positionals: [0, 0],
  load: async () => (await import('./info')).run,
})
