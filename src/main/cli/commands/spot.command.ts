import { STUDIO_SPOTTING } from '../../services/motion/spotting'
import { SPOT_PARAMS, SPOT_SIGNAL_INFO } from '@shared/ipc/channels/motion-params'
import { defineCommand } from '../command'
import { helpLines } from './param-help'

const lines = helpLines(19)

export const spotCommand = defineCommand({
  name: 'spot',
  summary: 'Suggest the apex of a clip from a motion curve, or (--intervals) every micro/macro-expression interval of a long video.',
  usage: '<clip> [--onset N] [--offset N] [--signal farneback|difference|translation|tvl1|strain] [options] | <video> --intervals [--fps N] [--json] [--min-confidence X] [--kinds micro,macro]',
  help: `<clip> is a video file or an image-sequence folder. Frame numbers are the dataset's own
(the numbers in the file names, e.g. img46.jpg → 46; 0-based indices for videos).

Options:
  --onset N        coded onset frame number: the reference of the motion signal (else the first frame,
                   and the onset is suggested)
  --offset N       coded offset frame number (else suggested)
${lines.choice('--signal S', SPOT_SIGNAL_INFO, STUDIO_SPOTTING.signal)}
${lines.param('--crop SIDE', SPOT_PARAMS.side, '; or a preset as in magnify')}
  --no-face        skip face detection: whole frame, no nose reference
${lines.param('--sigma F', SPOT_PARAMS.temporalSigma)}
  --fps N          frame rate (image folders carry none; default 30)
  --start N --count N  frame range (0-based index)

Prints {onset, apex, offset, confidence, curve, …}: onset/apex/offset as frame numbers, their
0-based indices under "indices", the apex time after the onset in ms, the top peaks, the
smoothed curve (one value per frame of the range; px of displacement for difference/flow
signals) and the face found.

Long videos (--intervals): every micro- and macro-expression interval of an uncut video or frame
folder (CAS(ME)², SAMM long videos), MEGC-style: per-region motion against the frames k before and
after (k = 0.5 s and 2 s), head motion removed, blinks and head-motion bursts set apart.
  --intervals          spot intervals instead of one apex
  --json               print {"intervals":[{onset, apex, offset, kind, confidence}], "frames", "fps",
                       "rejected":[…blinks and head motion, with "reason"], "face", "warnings"};
                       without it, one line per interval
  --min-confidence X   leave out intervals below confidence X (0–1; default 0)
  --kinds K            micro, macro or micro,macro (default both)
  --fps N              frame rate (image folders carry none; default 30)
Frame numbers are the dataset's own (file numbers for folders, 0-based for videos). A video
where nothing moves gives an empty list (exit 0); one without a visible face is an error.`,
  options: {
    onset: { type: 'string' },
    offset: { type: 'string' },
    signal: { type: 'string' },
    crop: { type: 'string' },
    'no-face': { type: 'boolean' },
    sigma: { type: 'string' },
    fps: { type: 'string' },
    start: { type: 'string' },
    count: { type: 'string' },
    intervals: { type: 'boolean' },
    json: { type: 'boolean' },
    'min-confidence': { type: 'string' },
    kinds: { type: 'string' },
  },
  positionals: [1, 1],
  load: async () => (await import('./spot')).run,
})
