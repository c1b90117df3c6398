import { MAGNIFY_METHOD_INFO, MAGNIFY_PARAMS, MAX_MAGNIFY_FRAMES } from '@shared/ipc/channels/motion-params'
import { defineCommand } from '../command'
import { helpLines } from './param-help'

const lines = helpLines(25)

export const magnifyCommand = defineCommand({
  name: 'magnify',
  summary: 'Motion-magnify a clip (linear Eulerian or phase-based Riesz) and write PNG frames or an MP4.',
  usage: '<clip> --alpha A [--method eulerian|riesz] --out <dir|file.mp4> [options]',
  help: `<clip> is a video file or an image-sequence folder.

Options:
${lines.choice('--method M', MAGNIFY_METHOD_INFO, 'eulerian')}
  --out PATH             a folder (PNG frames 00000.png…; new or empty) or a .mp4 file (H.264, needs ffmpeg)
  --force                replace an existing .mp4, or write into a non-empty folder
${lines.param('--alpha A', MAGNIFY_PARAMS.alpha)}
${lines.param('--levels N', MAGNIFY_PARAMS.levels)}
${lines.param('--lambda-c PX', MAGNIFY_PARAMS.lambdaC)}
${lines.param('--chroma K', MAGNIFY_PARAMS.chromaAttenuation)}
  --filter iir|ideal     temporal band-pass (default iir)
${lines.param('--r1 R', MAGNIFY_PARAMS.r1)}
${lines.param('--r2 R', MAGNIFY_PARAMS.r2)}
  --low HZ --high HZ     ideal band edges in Hz (required with --filter ideal; 0 < low < high ≤ fps/2)
  --fps N                frame rate (image folders carry none; default 30)
  --start N --count N    frame range (0-based index, default the whole clip; 2–${MAX_MAGNIFY_FRAMES} frames)
  --crop SIDE|PRESET     align on the first frame of the range (face detection) and crop first:
                         off-tanet 112, ststnet 28, cbamnet 64, ms-3d-resnet 134, ast-svmnet 192, or a side
  --json                 print a JSON summary

Example: me-studio magnify sub01/EP02_01f --fps 200 --alpha 15 --crop off-tanet --out magnified.mp4`,
  options: {
    alpha: { type: 'string' },
    method: { type: 'string' },
    out: { type: 'string' },
    levels: { type: 'string' },
    'lambda-c': { type: 'string' },
    chroma: { type: 'string' },
    filter: { type: 'string' },
    r1: { type: 'string' },
    r2: { type: 'string' },
    low: { type: 'string' },
    high: { type: 'string' },
    fps: { type: 'string' },
    start: { type: 'string' },
    count: { type: 'string' },
    crop: { type: 'string' },
    json: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: [1, 1],
  load: async () => (await import('./magnify')).run,
})
