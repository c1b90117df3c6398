import { defineCommand } from '../command'

export const framesCommand = defineCommand({
  name: 'frames',
  summary: 'Extract frames of a video or image-sequence folder as PNG, frame-exact by index.',
  usage: '<clip> --range a:b --out <dir> [--gray] [--numbers] [--fps N]',
  help: `Options:
  --range a:b    0-based frame indices, inclusive (a: alone = to the end)
  --out DIR      folder for the PNGs (new or empty; created); files are named frame_<index, 5 digits>.png
  --force        write into a non-empty --out folder (replacing frames of the same name)
  --gray         write one-channel grey PNGs (default RGB)
  --numbers      read a:b as the dataset's frame numbers (img46.jpg → 46) instead of indices
  --fps N        the clip's frame rate, for an image folder (which records none)

Prints the clip's size, frame count and rate, then how many frames were written. A video's rate is
its own; an image folder's is --fps, else its dataset's published rate when the folders say which
(sub01/EP02_01 → CASME II, 200 fps), else unknown and said so.`,
  options: {
    range: { type: 'string' }, out: { type: 'string' }, gray: { type: 'boolean' }, numbers: { type: 'boolean' }, force: { type: 'boolean' }, fps: { type: 'string' },
  },
  positionals: [1, 1],
  load: async () => (await import('./frames')).run,
})
