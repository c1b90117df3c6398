import { realpath } from 'node:fs/promises'
import { resolve } from 'node:path'
import { StudioError, datasetFormatInfos, type DatasetOpenResult } from '@shared/ipc'
import type { HandlerRegistry } from '../registry'
import type { StudioContext } from '../context'
import { findClips, guessLayout, openDataset, readLabelFile, type OpenedDataset } from '../../services/datasets'

/** Opening a dataset makes its folder a media root; results are kept per root for the session. */
export function registerDatasetHandlers(registry: HandlerRegistry, studio: StudioContext): void {
  const opened = new Map<string, DatasetOpenResult>()
  const realRoot = async (root: string) => {
    try {
      return await realpath(resolve(root))
    } catch {
      throw new StudioError('not-found', `No such folder: ${root}`)
    }
  }

  registry
    .handle('command:dataset.open', async ({ root, format, fps, labels }) => {
      const folder = await realRoot(root)
      await studio.mediaRoots.add(folder)
      return studio.jobs.start('dataset.open', async (ctx) => {
        const result = toWire(
          await openDataset(folder, studio.frames, {
            ...(format ? { format } : {}),
            ...(fps ? { fps } : {}),
            ...(labels ? { labels: resolve(labels) } : {}),
            signal: ctx.signal,
            onProgress: (done, total, item) => ctx.progress(done, total, item),
            onClipError: (sample, error) => ctx.itemError(sample, error),
          }),
        )
        opened.set(folder, result)
        return result.summary
      })
    })
    .handle('query:dataset.opened', async ({ root }) => {
      const result = opened.get(await realRoot(root))
      if (!result) throw new StudioError('not-found', `Dataset ${root} has not been opened in this session`)
      return result
    })
    .handle('query:dataset.detect', async ({ root }) => {
      const folder = await realRoot(root)
      const clips = await findClips(folder)
      const guess = await guessLayout(folder, clips)
      return { ...guess, clips: clips.length }
    })
    .handle('query:dataset.labels', async ({ path, format }) => readLabelFile(await studio.mediaRoots.resolve(path), format))
    .handle('query:dataset.formats', () => datasetFormatInfos())
}

function toWire(result: OpenedDataset): DatasetOpenResult {
  return {
    scan: result.scan,
    labels: result.labels,
    matches: result.matches.map(({ row, sample }) => ({ rowNumber: row.rowNumber, sample: sample ? `${sample.subject}/${sample.name}` : null })),
    problems: result.problems,
    summary: result.summary,
    reason: result.reason,
  }
}
