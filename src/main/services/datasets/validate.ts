import { MAX_MICRO_EXPRESSION_MS, type ImportProblem, type LabelRow, type ScannedSample } from '@shared/domain/dataset'

/** A subject id reduced to what every sheet and folder agree on: `sub01`, `01`, `1`, `s1`, `spNO.1` → `1`. */
export function subjectKey(subject: string): string {
  const trimmed = subject.trim().toLowerCase()
  const digits = /(\d+)\s*$/.exec(trimmed)
  return digits ? String(Number(digits[1])) : trimmed
}

export function sampleKey(sample: string): string {
  return sample.trim().toLowerCase()
}

/** The 4-digit video code of a CAS(ME)² clip name (`15_0101disgustingteeth` → `0101`), or null. */
export function videoCodeOf(name: string): string | null {
  return /^\d+_(\d{4})/.exec(name.trim())?.[1] ?? null
}

/** A row's sample cell that is a video code itself (`0101`, `101`, `15_0101`), padded to 4 digits. */
function codeInSampleCell(sample: string): string | null {
  const match = /^(?:\d+_)?(\d{1,4})$/.exec(sample.trim())
  return match ? match[1]!.padStart(4, '0') : null
}

/** What a row says about its sample: a label sheet's row, or a codes file's. */
export type SampleReference = Pick<LabelRow, 'subject' | 'sample'> & Partial<Pick<LabelRow, 'clipSubject' | 'clipCode'>>
/** What a sample is known by: a scanned clip, or a project's sample. */
export interface NamedSample {
  subject: string
  name: string
}

/**
 * Finds the sample a label row (or a codes file's row) describes: same subject (for CAS(ME)² the subject folder its naming
 * rules give, when they list the participant), then the same name, or the video code its naming
 * rules give, or a code written as the name (`0101`, `15_0101`), or — for sheets that abbreviate
 * folder names — the one folder name that contains the sheet's name.
 */
export function matchRow<S extends NamedSample>(row: SampleReference, samples: readonly S[], bySubject = groupBySubject(samples)): S | null {
  const candidates = bySubject.get(subjectKey(row.clipSubject ?? row.subject)) ?? []
  const name = sampleKey(row.sample)
  const exact = candidates.find((s) => sampleKey(s.name) === name)
  if (exact) return exact
  for (const code of [row.clipCode, codeInSampleCell(row.sample)]) {
    if (!code) continue
    const coded = candidates.filter((s) => videoCodeOf(s.name) === code)
    if (coded.length === 1) return coded[0]!
  }
  const containing = candidates.filter((s) => sampleKey(s.name).includes(name))
  return containing.length === 1 ? containing[0]! : null
}

export function groupBySubject<S extends NamedSample>(samples: readonly S[]): Map<string, S[]> {
  const groups = new Map<string, S[]>()
  for (const sample of samples) {
    const key = subjectKey(sample.subject)
    const list = groups.get(key)
    if (list) list.push(sample)
    else groups.set(key, [sample])
  }
  return groups
}

export interface LabelMatch {
  row: LabelRow
  sample: ScannedSample | null
  /** The row has an error (frames out of order or outside the clip): it is reported and never stored. */
  rejected: boolean
}

/**
 * Checks label rows against the scanned clips: unknown samples, frames that are not in the clip
 * (outside it, or dropped inside it), onset > apex > offset order, intervals over 500 ms (micro
 * rows only), and samples no row describes. A row with an error is matched (so the preview shows
 * which clip it meant) but `rejected`: an import does not store labels it reported as wrong.
 */
export function validateLabels(samples: ScannedSample[], rows: LabelRow[]): { matches: LabelMatch[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = []
  const bySubject = groupBySubject(samples)
  const labelled = new Set<ScannedSample>()
  const matches: LabelMatch[] = []
  for (const row of rows) {
    const where = `${row.subject}/${row.sample}`
    let rejected = false
    const report = (severity: ImportProblem['severity'], code: ImportProblem['code'], message: string) => {
      if (severity === 'error') rejected = true
      problems.push({ severity, code, message: severity === 'error' ? `${message}; the row is not imported` : message, row: row.rowNumber, sample: where })
    }

    if (row.apex !== null && row.onset > row.apex) report('error', 'labels/onset-after-apex', `Row ${row.rowNumber}: onset ${row.onset} is after apex ${row.apex}`)
    if (row.apex !== null && row.offset !== null && row.apex > row.offset) report('error', 'labels/apex-after-offset', `Row ${row.rowNumber}: apex ${row.apex} is after offset ${row.offset}`)
    else if (row.offset !== null && row.onset > row.offset) report('error', 'labels/onset-after-apex', `Row ${row.rowNumber}: onset ${row.onset} is after offset ${row.offset}`)

    const sample = matchRow(row, samples, bySubject)
    if (!sample) {
      matches.push({ row, sample, rejected })
      const rules = [
        row.clipSubject !== undefined ? `participant ${row.subject} → s${row.clipSubject}` : null,
        row.clipCode !== undefined ? `${row.sample.replace(/_\d+$/, '')} → ${row.clipCode}` : null,
      ].filter(Boolean)
      report('warning', 'labels/unknown-sample', `Row ${row.rowNumber}: no clip ${where} in the dataset${rules.length ? ` (naming rules: ${rules.join(', ')})` : ''}`)
      continue
    }
    labelled.add(sample)
    const { frameNumbers, fps } = sample.clip
    const first = frameNumbers[0]
    const last = frameNumbers[frameNumbers.length - 1]
    const present = new Set(frameNumbers)
    const frames: [string, number | null][] = [
      ['onset', row.onset],
      ['apex', row.apex],
      ['offset', row.offset],
    ]
    for (const [label, frame] of frames) {
      if (frame === null || first === undefined || last === undefined) continue
      if (frame < first || frame > last) report('error', 'labels/frames-outside-clip', `Row ${row.rowNumber}: ${label} frame ${frame} is outside the clip (${first}..${last})`)
      else if (!present.has(frame)) report('warning', 'labels/missing-frames', `Row ${row.rowNumber}: ${label} frame ${frame} is missing from the clip (dropped frame)`)
    }
    if (row.offset !== null && row.offset >= row.onset && row.expressionType !== 'macro') {
      const durationMs = ((row.offset - row.onset + 1) / fps) * 1000
      if (durationMs > MAX_MICRO_EXPRESSION_MS) {
        report('warning', 'labels/too-long', `Row ${row.rowNumber}: ${Math.round(durationMs)} ms from onset to offset at ${fps} fps (micro-expressions last at most ${MAX_MICRO_EXPRESSION_MS} ms)`)
      }
    }
    matches.push({ row, sample, rejected })
  }
  for (const sample of samples) {
    if (!labelled.has(sample)) {
      problems.push({ severity: 'warning', code: 'dataset/sample-without-label', message: `No label row describes ${sample.subject}/${sample.name}`, sample: `${sample.subject}/${sample.name}` })
    }
  }
  return { matches, problems }
}
