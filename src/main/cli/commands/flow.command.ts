import { FLOW_METHODS, FLOW_METHOD_INFO } from '@shared/ipc/channels/motion-params'
import { defineCommand } from '../command'
import { helpLines } from './param-help'

const lines = helpLines(28)

export const flowCommand = defineCommand({
  name: 'flow',
  summary: 'Dense optical flow between two frames; writes Middlebury .flo and prints mean/max magnitude.',
  usage: `<frameA> <frameB> [--method ${FLOW_METHODS.join('|')}] [--size WxH] [--out flow.flo] [--force] [--json]`,
  help: `Options:
${lines.choice('--method M', FLOW_METHOD_INFO, 'tvl1')}
  --size WxH                resize both frames first (e.g. 112x112 as Off-TANet uses)
  --out FILE                write the flow as Middlebury .flo (float32 u,v; a .flo name, atomically)
  --force                   replace an existing --out file
  --json                    print {width,height,mean,max,median,p95,ms} as JSON

Prints "mean <px/frame> max <px/frame>" for the flow at the computed size.`,
  options: { method: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, force: { type: 'boolean' } },
  positionals: [2, 2],
  load: async () => (await import('./flow')).run,
})
