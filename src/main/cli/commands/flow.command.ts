import { defineCommand } from '../command'

export const flowCommand = defineCommand({
  name: 'flow',
  summary: 'Dense optical flow between two frames; writes Middlebury .flo and prints mean/max magnitude.',
  usage: '<frameA> <frameB> [--method tvl1|farneback] [--size WxH] [--out flow.flo] [--force] [--json]',
  help: `Options:
  --method tvl1|farneback   TV-L1 (OpenCV DualTVL1 defaults, frames presmoothed with σ 0.8 and scales
                            down to 16 px: more accurate than OpenCV on real photos and displacements
                            up to 10 px) or Farnebäck (fast preview). Default tvl1
  --size WxH                resize both frames first (e.g. 112x112 as Off-TANet uses)
  --out FILE                write the flow as Middlebury .flo (float32 u,v; a .flo name, atomically)
  --force                   replace an existing --out file
  --json                    print {width,height,mean,max,median,p95,ms} as JSON

Prints "mean <px/frame> max <px/frame>" for the flow at the computed size.`,
  options: { method: { type: 'string' }, size: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, force: { type: 'boolean' } },
  positionals: [2, 2],
  load: async () => (await import('./flow')).run,
})
