import { LONG_VIDEO_FORMATS, type DatasetFormat, type ImportProblem, type LabelRow, type ScannedSample } from '@shared/domain/dataset'
import type { LabelMatch } from './validate'

export interface SplitExpressions {
  /** The samples an import stores, in clip order (a long video's expressions in `k` order). */
  samples: ScannedSample[]
  /** The same matches, each matched row now pointing at its expression's sample. */
  matches: LabelMatch[]
  /** `labels/duplicate-row` for rows repeating an expression of the same video. */
  problems: ImportProblem[]
}

/**
 * Long-video datasets (CAS(ME)², CAS(ME)³ Part A): one clip holds several labelled expressions,
 * but a project holds one coding per sample and coder. So every distinct labelled expression of a
 * clip becomes its own sample `<video>#<k>` that shares the clip (same `clip`, same path):
 * k = 1, 2, … in order of onset (then apex, offset, sheet row), so the names do not depend on the
 * sheet's row order. A row with the same onset, apex and offset as an earlier one on the same
 * clip is a true duplicate: reported as `labels/duplicate-row` and matched to the earlier row's
 * sample (the import stores that sample's labels once). A clip no row describes stays one sample
 * named after the clip. Other formats are returned unchanged.
 */
export function splitExpressions(format: DatasetFormat, clips: ScannedSample[], matches: LabelMatch[]): SplitExpressions {
  if (!LONG_VIDEO_FORMATS.includes(format)) return { samples: clips, matches, problems: [] }
  const rowsByClip = new Map<ScannedSample, LabelRow[]>()
  for (const { row, sample, rejected } of matches) {
    if (!sample || rejected) continue
    const rows = rowsByClip.get(sample)
    if (rows) rows.push(row)
    else rowsByClip.set(sample, [row])
  }
  const problems: ImportProblem[] = []
  const sampleOfRow = new Map<LabelRow, ScannedSample>()
  const samples: ScannedSample[] = []
  for (const clip of clips) {
    const rows = rowsByClip.get(clip)
    if (!rows) {
      samples.push(clip)
      continue
    }
    const kept: { row: LabelRow; sample: ScannedSample }[] = []
    for (const row of [...rows].sort(byInterval)) {
      const same = kept.find((k) => k.row.onset === row.onset && k.row.apex === row.apex && k.row.offset === row.offset)
      if (same) {
        // Equal intervals sort by row, so `same` is the earlier row.
        problems.push({
          severity: 'warning',
          code: 'labels/duplicate-row',
          message: `Row ${row.rowNumber}: same video, onset, apex and offset as row ${same.row.rowNumber} (${clip.subject}/${same.sample.name}); imported once`,
          row: row.rowNumber,
          sample: `${clip.subject}/${same.sample.name}`,
        })
        sampleOfRow.set(row, same.sample)
        continue
      }
      const sample: ScannedSample = { ...clip, name: `${clip.name}#${kept.length + 1}`, video: clip.name }
      kept.push({ row, sample })
      sampleOfRow.set(row, sample)
      samples.push(sample)
    }
  }
  return { samples, matches: matches.map((m) => (m.sample && !m.rejected ? { ...m, sample: sampleOfRow.get(m.row)! } : m)), problems }
}

/** Onset, then apex, then offset (missing ones first), then the sheet's row. */
function byInterval(a: LabelRow, b: LabelRow): number {
  return a.onset - b.onset || (a.apex ?? -1) - (b.apex ?? -1) || (a.offset ?? -1) - (b.offset ?? -1) || a.rowNumber - b.rowNumber
}
