import { defineCommand } from '../command'

export const magnifyCommand = defineCommand({
  name: 'magnify',
  summary: 'Motion-magnify a clip (linear Eulerian or phase-based Riesz) and write PNG frames or an MP4.',
  usage: '<clip> --alpha A [--method eulerian|riesz] --out <dir|file.mp4> [options]',
  help: `<clip> is a video file or an image-sequence folder.

Options:
  --alpha A              amplification (default 10; MER papers use 10–20)
  --method M             eulerian (Wu et al. 2012, default) or riesz (Wadhwa et al. 2014)
  --out PATH             a folder (PNG frames 00000.png…; new or empty) or a .mp4 file (H.264, needs ffmpeg)
  --force                replace an existing .mp4, or write into a non-empty folder
  --levels N             pyramid levels incl. residual (default 6)
  --lambda-c PX          Eulerian cut-off wavelength λc (default 16)
  --chroma K             Eulerian chrominance attenuation (default 0.1)
  --filter iir|ideal     temporal band-pass (default iir)
  --r1 R --r2 R          IIR weights (default 0.4 / 0.05)
  --low HZ --high HZ     ideal band edges in Hz (required with --filter ideal)
  --fps N                frame rate (image folders carry none; default 30)
  --start N --count N    frame range (0-based index, default the whole clip)
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
