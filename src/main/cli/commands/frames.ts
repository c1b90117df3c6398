import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { MediaService } from '../../services/media'
import { EXIT, UsageError, defineCommand, stringOption } from '../command'

export const framesCommand = defineCommand({
  name: 'frames',
  summary: 'Extract frames of a video or image-sequence folder as PNG, frame-exact by index.',
  usage: '<clip> --range a:b --out <dir> [--gray] [--numbers]',
  help: `Options:
  --range a:b    0-based frame indices, inclusive (a: alone = to the end)
  --out DIR      folder for the PNGs (created); files are named frame_<index, 5 digits>.png
  --gray         write one-channel grey PNGs (default RGB)
  --numbers      read a:b as the dataset's frame numbers (img46.jpg → 46) instead of indices

Prints the clip's size, frame count and rate, then how many frames were written.`,
  options: { range: { type: 'string' }, out: { type: 'string' }, gray: { type: 'boolean' }, numbers: { type: 'boolean' } },
  positionals: [1, 1],
  async run({ values, positionals }, io) {
    const clipPath = resolve(io.cwd, positionals[0]!)
    const outDir = resolve(io.cwd, stringOption(values, 'out', true))
    const range = /^(\d+):(\d*)$/.exec(stringOption(values, 'range', true))
    if (!range) throw new UsageError('--range must look like 10:20 (or 10: for the rest)')
    const media = new MediaService({ ffmpeg: () => requireFfmpeg({ env: io.env }) })
    const clip = await media.open(clipPath)
    const toIndex = (n: number) => (values.numbers ? clip.frameNumbers.findIndex((f) => f >= n) : n)
    const first = toIndex(Number(range[1]))
    const lastRequested = range[2] === '' ? clip.frameCount - 1 : Number(range[2])
    const last = values.numbers && range[2] !== '' ? clip.frameNumbers.findLastIndex((f) => f <= lastRequested) : lastRequested
    if (first < 0 || last >= clip.frameCount || first > last) {
      throw new UsageError(`--range ${range[0]} is outside the clip (${values.numbers ? `numbers ${clip.frameNumbers[0]}..${clip.frameNumbers.at(-1)}` : `indices 0..${clip.frameCount - 1}`})`)
    }
    io.stdout(`${clip.kind} ${clip.width}x${clip.height}, ${clip.frameCount} frames at ${clip.fps} fps\n`)
    await mkdir(outDir, { recursive: true })
    const batch = 32
    for (let start = first; start <= last; start += batch) {
      const frames = await media.readFrames(clipPath, start, Math.min(batch, last - start + 1), values.gray ? 'gray' : 'rgb')
      for (let k = 0; k < frames.length; k++) {
        await writeFile(join(outDir, `frame_${String(start + k).padStart(5, '0')}.png`), await MediaService.encodePng(frames[k]!))
      }
    }
    io.stdout(`wrote ${last - first + 1} frames (${first}..${last}) to ${outDir}\n`)
    return EXIT.ok
  },
})
