import { defineCommand } from '../command'

export const framesCommand = defineCommand({
  name: 'frames',
  summary: 'Extract frames of a video or image-sequence folder as PNG, frame-exact by index.',
  usage: '<clip> --range a:b --out <dir> [--gray] [--numbers]',
  help: `Options:
  --range a:b    0-based frame indices, inclusive (a: alone = to the end)
  --out DIR      folder for the PNGs (new or empty; created); files are named frame_<index, 5 digits>.png
  --force        write into a non-empty --out folder (replacing frames of the same name)
  --gray         write one-channel grey PNGs (default RGB)
  --numbers      read a:b as the dataset's frame numbers (img46.jpg → 46) instead of indices

Prints the clip's size, frame count and rate, then how many frames were written.`,
  options: { range: { type: 'string' }, out: { type: 'string' }, gray: { type: 'boolean' }, numbers: { type: 'boolean' }, force: { type: 'boolean' } },
  positionals: [1, 1],
  load: async () => (await import('./frames')).run,
})
