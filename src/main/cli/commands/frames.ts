import { mkdir, writeFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { DATASET_TITLES, DEFAULT_FPS } from '@shared/domain/dataset'
import { guessLayout } from '../../services/datasets/layout'
import { checkExportFolder } from '../../services/export/target'
import { requireFfmpeg } from '../../services/ffmpeg-locator'
import { MediaService } from '../../services/media'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'

export const run: CommandRun = async ({ values, positionals }, io) => {
  const clipPath = resolve(io.cwd, positionals[0]!)
  const outDir = resolve(io.cwd, stringOption(values, 'out', true))
  const range = /^(\d+):(\d*)$/.exec(stringOption(values, 'range', true))
  if (!range) throw new UsageError('--range must look like 10:20 (or 10: for the rest)')
  const from = Number(range[1])
  const to = range[2] === '' ? null : Number(range[2])
  if (to !== null && from > to) throw new UsageError(`--range ${range[0]} is reversed: its first frame comes after its last (did you mean ${to}:${from}?)`)
  const fpsText = stringOption(values, 'fps')
  const fps = fpsText === undefined ? undefined : Number(fpsText)
  if (fps !== undefined && !(fps > 0)) throw new UsageError(`--fps must be a positive number, got ${fpsText}`)
  const media = new MediaService({ ffmpeg: () => requireFfmpeg({ env: io.env }) })
  const clip = await media.open(clipPath, fps === undefined ? {} : { fps })
  const { first, last } = values.numbers ? numbersToIndices(range[0]!, from, to, clip.frameNumbers) : indices(range[0]!, from, to, clip.frameCount)
  await checkExportFolder(outDir, values.force === true)
  const rate = clip.kind === 'video' || fps !== undefined ? `at ${clip.fps} fps` : await folderRate(clipPath)
  io.stdout(`${clip.kind} ${clip.width}x${clip.height}, ${clip.frameCount} frames ${rate}\n`)
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
}

/** An image folder records no rate: its dataset's published one when its subject/sample folders name the dataset. */
async function folderRate(clipPath: string): Promise<string> {
  const sample = basename(clipPath)
  const subject = basename(dirname(clipPath))
  const guess = await guessLayout(dirname(dirname(clipPath)), [{ path: clipPath, kind: 'frames', segments: [subject, sample] }])
  if (guess.recognised && guess.format !== 'generic') return `at ${DEFAULT_FPS[guess.format]} fps (${DATASET_TITLES[guess.format]}'s rate)`
  return '(an image folder: frame rate unknown, give --fps)'
}

/** `a:b` as 0-based indices, refused when it reaches past the clip. */
function indices(text: string, from: number, to: number | null, frameCount: number): { first: number; last: number } {
  const last = to ?? frameCount - 1
  if (from >= frameCount) throw new UsageError(`--range ${text} starts after the clip's last frame (indices 0..${frameCount - 1})`)
  if (last >= frameCount) throw new UsageError(`--range ${text} ends after the clip's last frame (indices 0..${frameCount - 1}); write ${from}: for the rest`)
  return { first: from, last }
}

/** `a:b` as dataset frame numbers (img46.jpg → 46), which may have gaps: the frames that exist in between. */
function numbersToIndices(text: string, from: number, to: number | null, numbers: readonly number[]): { first: number; last: number } {
  const lowest = numbers[0]!
  const highest = numbers.at(-1)!
  if (from > highest || (to !== null && to < lowest)) throw new UsageError(`--range ${text} is outside the clip (frame numbers ${lowest}..${highest})`)
  const first = numbers.findIndex((n) => n >= from)
  const last = to === null ? numbers.length - 1 : numbers.findLastIndex((n) => n <= to)
  if (first > last) {
    const missing = from === to ? `frame number ${from} is` : `frame numbers ${from}..${to} are`
    throw new UsageError(`--range ${text}: ${missing} missing from the sequence (the nearest frames are ${numbers[last]} and ${numbers[first]})`)
  }
  return { first, last }
}
