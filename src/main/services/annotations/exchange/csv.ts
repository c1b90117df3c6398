import { formatAus, parseAus } from '@shared/domain/au'
import { ANNOTATION_STATUSES, ANNOTATOR_ROLES, frameToMs, type AnnotationStatus, type AnnotatorRole } from '@shared/domain/annotation'
import { StudioError } from '@shared/ipc/errors'
import { frameCell, textCell, type CodingRow } from './rows'
import { csvHeader, csvRow, num, restoreNeutralised, text, type CsvCell } from '../../formats/csv'
import { parseDelimited, readDelimitedFile, SHEET_LIMITS, type Cell, type SheetLimits } from '../../formats'

/**
 * Codes as CSV (RFC 4180, UTF-8, CRLF): one row per sample × coder. Frames are the dataset's
 * frame numbers; the `_ms` columns are (frame − first frame of the clip) / fps · 1000, written
 * for people and other tools and ignored on import (frames are the truth).
 */
export const CSV_COLUMNS = [
  'dataset',
  'subject',
  'sample',
  'coder',
  'role',
  'adjudicated',
  'fps',
  'first_frame',
  'onset_frame',
  'apex_frame',
  'offset_frame',
  'onset_ms',
  'apex_ms',
  'offset_ms',
  'aus',
  'emotion',
  'objective_class',
  'confidence',
  'status',
  'notes',
] as const

export function codesToCsv(rows: readonly CodingRow[]): string {
  let out = csvHeader(CSV_COLUMNS)
  for (const r of rows) {
    const f = r.fields
    const timing = { fps: r.fps, firstFrame: r.firstFrame }
    const ms = (frame: number | null) => (frame === null ? null : num(Math.round(frameToMs(frame, timing) * 1000) / 1000))
    // Text goes through the predictions CSV's cells: a note starting with `=` is not a live formula.
    const cells: Record<(typeof CSV_COLUMNS)[number], CsvCell> = {
      dataset: text(r.dataset),
      subject: text(r.subject),
      sample: text(r.sample),
      coder: text(r.coder),
      role: text(r.role),
      adjudicated: num(r.adjudicated ? 1 : 0),
      fps: num(r.fps),
      first_frame: num(r.firstFrame),
      onset_frame: num(f.onset),
      apex_frame: num(f.apex),
      offset_frame: num(f.offset),
      onset_ms: ms(f.onset),
      apex_ms: ms(f.apex),
      offset_ms: ms(f.offset),
      aus: text(formatAus(f.aus)),
      emotion: text(f.emotion),
      objective_class: text(f.objectiveClass),
      confidence: num(f.confidence),
      status: text(f.status),
      notes: text(f.notes),
    }
    out += csvRow(CSV_COLUMNS.map((c) => cells[c]))
  }
  return out
}

/** Codes from CSV text in memory (the same reader and limits as a file: `readCodesCsv`). */
export function codesFromCsv(text: string, limits: SheetLimits = SHEET_LIMITS): CodingRow[] {
  return codesFromCsvRecords(parseDelimited(text, limits, 'The CSV file', ','))
}

/** Streams a codes CSV file (see `DelimitedReader` for the limits). */
export async function readCodesCsv(path: string, limits: SheetLimits = SHEET_LIMITS): Promise<CodingRow[]> {
  const records: Cell[][] = []
  await readDelimitedFile(path, limits, (row) => records.push(row), ',')
  return codesFromCsvRecords(records)
}

function codesFromCsvRecords(cells: Cell[][]): CodingRow[] {
  // Blank lines are no records; an empty cell is an empty string.
  const records = cells.filter((r) => !(r.length === 1 && r[0] === null)).map((r) => r.map((c) => (c === null ? '' : String(c))))
  const [header, ...body] = records
  if (!header) throw new StudioError('labels/malformed', 'The CSV file is empty')
  const col = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]))
  for (const required of ['subject', 'sample', 'coder', 'onset_frame', 'apex_frame', 'offset_frame']) {
    if (!col.has(required)) throw new StudioError('labels/malformed', `The CSV file has no "${required}" column`)
  }
  return body.map((cells, index) => {
    const get = (name: string) => {
      const i = col.get(name)
      return i === undefined ? '' : restoreNeutralised(cells[i] ?? '')
    }
    const where = `CSV line ${index + 2}`
    const role = get('role') as AnnotatorRole
    const status = get('status') as AnnotationStatus
    const confidence = textCell(get('confidence'))
    return {
      dataset: get('dataset'),
      subject: get('subject'),
      sample: get('sample'),
      coder: get('coder'),
      role: ANNOTATOR_ROLES.includes(role) ? role : 'coder',
      adjudicated: get('adjudicated') === '1',
      fps: Number(get('fps')) || 0,
      firstFrame: frameCell(get('first_frame'), `${where}, first_frame`),
      fields: {
        onset: frameCell(get('onset_frame'), `${where}, onset_frame`),
        apex: frameCell(get('apex_frame'), `${where}, apex_frame`),
        offset: frameCell(get('offset_frame'), `${where}, offset_frame`),
        aus: parseAus(get('aus')).value,
        emotion: textCell(get('emotion')),
        objectiveClass: textCell(get('objective_class')),
        notes: get('notes'),
        confidence: confidence === null ? null : Number(confidence),
        status: ANNOTATION_STATUSES.includes(status) ? status : 'draft',
      },
    }
  })
}
