import { basename } from 'node:path'
import {
  EMOTION_VOCABULARIES,
  LONG_VIDEO_FORMATS,
  canonicalEmotion,
  type DatasetFormat,
  type ImportProblem,
  type LabelRow,
  type LabelSheet,
  type ScannedSample,
} from '@shared/domain/dataset'
import { readSheets, type Cell, type SheetGrid } from './sheet-reader'

type Field = 'subject' | 'sample' | 'onset' | 'apex' | 'offset' | 'au' | 'emotion' | 'objectiveClass' | 'expressionType'

/** Header spellings per field, compared after lower-casing and dropping everything but letters and digits. */
const HEADER_ALIASES: Readonly<Record<Field, readonly string[]>> = {
  subject: ['subject', 'participant', 'sub', 'subjectid'],
  sample: ['filename', 'videoname', 'sample', 'video', 'clip', 'name', 'file'],
  onset: ['onsetframe', 'onset', 'startframe', 'start'],
  apex: ['apexframe', 'apex', 'apexframe1'],
  offset: ['offsetframe', 'offset', 'endframe', 'end'],
  au: ['actionunits', 'actionunit', 'au', 'aus', 'facs'],
  emotion: ['estimatedemotion', 'emotion', 'emotions', 'label', 'class'],
  objectiveClass: ['objectiveclasses', 'objectiveclass'],
  expressionType: ['type', 'expressiontype', 'typemicro', 'expression'],
}

const REQUIRED: readonly Field[] = ['subject', 'sample', 'onset']

/** CAS(ME)²'s `CASMEcode_final` sheet often has no header row: its columns in order. */
const CASME2_LONG_POSITIONS: Partial<Record<Field, number>> = {
  subject: 0,
  sample: 1,
  onset: 2,
  apex: 3,
  offset: 4,
  au: 5,
  emotion: 6,
  expressionType: 7,
}

/** Sheet each format's label file keeps its codes in (first sheet when absent). */
const PREFERRED_SHEET: Partial<Record<DatasetFormat, RegExp>> = {
  casme2: /^sheet1$/i,
  'casme2-long': /^casmecode_final$/i,
}

/** Spreadsheet rows searched for a header (SAMM's is on row 13, after prose). */
const HEADER_SEARCH_ROWS = 30

/**
 * Reads a dataset's label file (xlsx or csv) into label rows. Every odd cell — apex `/`, empty
 * cells, "or" in AU cells, offset 0, unknown emotions — becomes a per-row problem; nothing throws
 * except an unreadable file.
 */
export async function readLabelFile(path: string, format: DatasetFormat): Promise<LabelSheet> {
  const sheets = await readSheets(path)
  return parseLabelSheets(sheets, format, path)
}

export function parseLabelSheets(sheets: SheetGrid[], format: DatasetFormat, path: string | null): LabelSheet {
  const problems: ImportProblem[] = []
  const preferred = PREFERRED_SHEET[format]
  const ordered = preferred ? [...sheets.filter((s) => preferred.test(s.name)), ...sheets.filter((s) => !preferred.test(s.name))] : sheets
  const withHints = (rows: LabelRow[], labelSheet: SheetGrid): LabelRow[] => {
    if (format !== 'casme2-long') return rows
    const rules = readNamingRules(sheets, labelSheet)
    return rows.map((row) => withNamingRules(row, rules))
  }
  for (const sheet of ordered) {
    const header = findHeader(sheet.rows)
    if (header) return { path, format, rows: withHints(parseRows(sheet.rows, header.row + 1, header.columns, format, problems), sheet), problems }
  }
  const positional = format === 'casme2-long' ? ordered.find((s) => s.rows.some((r) => looksLikePositionalRow(r))) : undefined
  if (positional) {
    const first = positional.rows.findIndex((r) => looksLikePositionalRow(r))
    return { path, format, rows: withHints(parseRows(positional.rows, first, CASME2_LONG_POSITIONS, format, problems), positional), problems }
  }
  problems.push({
    severity: 'error',
    code: 'labels/no-header',
    message: `No header row with ${REQUIRED.join(', ')} columns in the first ${HEADER_SEARCH_ROWS} rows of any sheet${path ? ` of ${basename(path)}` : ''}`,
  })
  return { path, format, rows: [], problems }
}

/**
 * CAS(ME)²'s naming rules: its workbook names videos by participant number and expression name
 * (`1`, `anger1_1`), its folders by subject folder and video code (`s15/15_0401…`).
 * `subjects`: participant number (as `subjectKey` gives it) → subject folder number (`15`).
 * `videos`: expression name stem, lower-case (`anger1`) → 4-digit video code (`0401`).
 */
export interface NamingRules {
  subjects: Map<string, string>
  videos: Map<string, string>
}

/**
 * Finds the naming-rule sheets next to the label sheet: by name ("naming rule1" / "naming rule2",
 * any spacing or case), else by content (the first other sheet of stem → code pairs is rule 2, the
 * first of number → number pairs rule 1). Header rows, numbers stored as numbers or text, lost or
 * extra zero padding and stray spaces are all tolerated; rows that are not a pair are skipped.
 */
export function readNamingRules(sheets: SheetGrid[], labelSheet?: SheetGrid): NamingRules {
  const others = sheets.filter((s) => s !== labelSheet)
  const named = (n: 1 | 2) => others.find((s) => normaliseHeader(s.name).includes(`rule${n}`))
  const videoSheet = named(2) ?? others.find((s) => parseVideoRule(s.rows).size > 0)
  const subjectSheet = named(1) ?? others.find((s) => s !== videoSheet && parseSubjectRule(s.rows).size > 0)
  return {
    subjects: subjectSheet ? parseSubjectRule(subjectSheet.rows) : new Map(),
    videos: videoSheet ? parseVideoRule(videoSheet.rows) : new Map(),
  }
}

/** `1`, ` 1 `, `01`, `s15`, `15_` → the number as digits without padding; anything else null. */
function folderNumber(cell: Cell | undefined): string | null {
  if (cell === null || cell === undefined) return null
  const match = /^s?0*(\d+)_?$/i.exec(String(cell).trim())
  return match ? String(Number(match[1])) : null
}

/** Naming rule 1: participant number in the first column, subject folder number in the next cell that is one. */
function parseSubjectRule(rows: Cell[][]): Map<string, string> {
  const map = new Map<string, string>()
  for (const row of rows) {
    const participant = folderNumber(row[0])
    const folder = row.slice(1).map(folderNumber).find((n) => n !== null)
    if (participant !== null && folder && !map.has(participant)) map.set(participant, folder)
  }
  return map
}

/** Naming rule 2: in each row, an expression name stem (`anger1`) and a video code (`0401`, 401), in either order. */
function parseVideoRule(rows: Cell[][]): Map<string, string> {
  const map = new Map<string, string>()
  for (const row of rows) {
    const texts = row.map((c) => (c === null || c === undefined ? '' : String(c).trim()))
    const stem = texts.find((t) => /^[a-z]+\d+$/i.test(t))
    const codes = texts.filter((t) => /^\d{1,4}$/.test(t))
    // A stray index column is a small number; video codes are 0101 and up.
    const code = codes.find((t) => t.length === 4) ?? codes.find((t) => Number(t) >= 100)
    if (stem && code && !map.has(stem.toLowerCase())) map.set(stem.toLowerCase(), code.padStart(4, '0'))
  }
  return map
}

/** Adds the folder number and video code the naming rules give for a CAS(ME)² row. */
export function withNamingRules(row: LabelRow, rules: NamingRules): LabelRow {
  const hinted: LabelRow = { ...row }
  // A subject already written as a folder (`s15`) is not a participant number.
  const participant = /^s\d+$/i.test(row.subject.trim()) ? null : folderNumber(row.subject)
  const folder = participant === null ? undefined : rules.subjects.get(participant)
  if (folder !== undefined) hinted.clipSubject = folder
  const stem = row.sample.trim().toLowerCase().replace(/_\d+$/, '')
  const code = rules.videos.get(stem)
  if (code !== undefined) hinted.clipCode = code
  return hinted
}

/** SMIC has no label file: the class is the folder name, the clip is the expression (no apex). */
export function labelsFromFolders(samples: ScannedSample[], format: DatasetFormat): LabelSheet {
  const rows: LabelRow[] = []
  const problems: ImportProblem[] = []
  samples.forEach((sample, i) => {
    if (sample.folderLabel === undefined || sample.clip.frameNumbers.length === 0) return
    const emotion = canonicalEmotion(sample.folderLabel)
    if (!emotion) {
      problems.push({ severity: 'warning', code: 'labels/unknown-emotion', message: `Folder label "${sample.folderLabel}" is not an emotion`, sample: `${sample.subject}/${sample.name}` })
    }
    rows.push({
      rowNumber: i + 1,
      subject: sample.subject,
      sample: sample.name,
      onset: sample.clip.frameNumbers[0]!,
      apex: null,
      offset: sample.clip.frameNumbers[sample.clip.frameNumbers.length - 1]!,
      auText: '',
      emotion: emotion ?? sample.folderLabel.toLowerCase(),
      expressionType: 'micro',
    })
  })
  return { path: null, format, rows, problems }
}

function normaliseHeader(cell: Cell): string {
  return cell === null ? '' : String(cell).toLowerCase().replace(/[^a-z0-9]/g, '')
}

function findHeader(rows: Cell[][]): { row: number; columns: Partial<Record<Field, number>> } | null {
  for (let r = 0; r < Math.min(rows.length, HEADER_SEARCH_ROWS); r++) {
    const columns: Partial<Record<Field, number>> = {}
    const names = (rows[r] ?? []).map(normaliseHeader)
    for (const field of Object.keys(HEADER_ALIASES) as Field[]) {
      // The earliest alias wins (`onsetframe` before a stray `start`), first matching column.
      for (const alias of HEADER_ALIASES[field]) {
        const column = names.findIndex((name, i) => name === alias && !Object.values(columns).includes(i))
        if (column !== -1) {
          columns[field] = column
          break
        }
      }
    }
    if (REQUIRED.every((f) => columns[f] !== undefined)) return { row: r, columns }
  }
  return null
}

function looksLikePositionalRow(row: Cell[]): boolean {
  return row[0] != null && row[1] != null && parseFrame(row[2] ?? null).kind === 'number'
}

type ParsedFrame = { kind: 'number'; value: number } | { kind: 'empty' } | { kind: 'bad'; text: string }

/** Frame cells: integers (also "46" or 46.0); `/`, `-` and blanks are "no value". */
function parseFrame(cell: Cell): ParsedFrame {
  if (cell === null) return { kind: 'empty' }
  const text = String(cell).trim()
  if (text === '' || text === '/' || text === '-' || text === '\\' || /^n\/?a$/i.test(text)) return { kind: 'empty' }
  const value = Number(text)
  if (Number.isInteger(value) && value >= 0) return { kind: 'number', value }
  return { kind: 'bad', text }
}

/** Ids as written; numbers Excel stored without their zero padding are given back as digits. */
function cellText(cell: Cell | undefined): string {
  if (cell === null || cell === undefined) return ''
  return typeof cell === 'number' ? String(cell) : cell.trim()
}

function parseRows(rows: Cell[][], firstRow: number, columns: Partial<Record<Field, number>>, format: DatasetFormat, problems: ImportProblem[]): LabelRow[] {
  const result: LabelRow[] = []
  const seen = new Set<string>()
  const vocabulary = EMOTION_VOCABULARIES[format]
  const get = (row: Cell[], field: Field): Cell => {
    const column = columns[field]
    return column === undefined ? null : (row[column] ?? null)
  }
  for (let r = firstRow; r < rows.length; r++) {
    const row = rows[r] ?? []
    const rowNumber = r + 1
    if (row.every((c) => c === null || String(c).trim() === '')) continue
    const subject = cellText(get(row, 'subject'))
    const sample = cellText(get(row, 'sample'))
    const where = `${subject || '?'}/${sample || '?'}`
    const report = (severity: ImportProblem['severity'], code: ImportProblem['code'], message: string) =>
      problems.push({ severity, code, message, row: rowNumber, sample: where })
    if (!subject || !sample) {
      report('error', 'labels/bad-row', `Row ${rowNumber}: no ${!subject ? 'subject' : 'sample name'}; row skipped`)
      continue
    }
    const onset = parseFrame(get(row, 'onset'))
    if (onset.kind !== 'number') {
      report('error', 'labels/bad-frame-number', `Row ${rowNumber}: onset ${onset.kind === 'bad' ? `"${onset.text}" is not a frame number` : 'is empty'}; row skipped`)
      continue
    }
    const apexCell = parseFrame(get(row, 'apex'))
    const apex: number | null = apexCell.kind === 'number' ? apexCell.value : null
    if (apexCell.kind === 'bad') report('warning', 'labels/bad-frame-number', `Row ${rowNumber}: apex "${apexCell.text}" is not a frame number`)
    else if (apexCell.kind === 'empty') report('warning', 'labels/apex-missing', `Row ${rowNumber}: no apex frame (cell is empty or "/")`)

    const offsetCell = parseFrame(get(row, 'offset'))
    let offset: number | null = offsetCell.kind === 'number' && offsetCell.value !== 0 ? offsetCell.value : null
    if (offset === null) {
      if (offsetCell.kind === 'bad') report('warning', 'labels/bad-frame-number', `Row ${rowNumber}: offset "${offsetCell.text}" is not a frame number`)
      else if (format === 'casme2-long' && apex !== null && apex >= onset.value) {
        // CAS(ME)²'s convention: a missing offset mirrors the onset about the apex.
        offset = 2 * apex - onset.value
        report('warning', 'labels/offset-derived', `Row ${rowNumber}: offset missing, derived as 2·apex − onset = ${offset}`)
      } else report('warning', 'labels/offset-missing', `Row ${rowNumber}: no offset frame (cell is ${offsetCell.kind === 'number' ? '0' : 'empty'})`)
    }

    const auText = cellText(get(row, 'au'))
    if (/\bor\b/i.test(auText)) report('warning', 'labels/ambiguous-au', `Row ${rowNumber}: AU cell "${auText}" lists alternatives ("or")`)

    const emotionText = cellText(get(row, 'emotion'))
    let emotion: string | null = null
    if (emotionText) {
      const canonical = canonicalEmotion(emotionText)
      emotion = canonical ?? emotionText.toLowerCase()
      if (!canonical || !vocabulary.includes(canonical)) {
        report('warning', 'labels/unknown-emotion', `Row ${rowNumber}: emotion "${emotionText}" is not in the ${format} vocabulary`)
      }
    }

    const typeText = cellText(get(row, 'expressionType'))
    const expressionType = /macro/i.test(typeText) ? 'macro' : /micro/i.test(typeText) ? 'micro' : undefined
    const objectiveClass = cellText(get(row, 'objectiveClass'))

    // Long videos hold several expressions: their duplicates (same clip, onset, apex and offset)
    // are found once the rows are matched to clips (see expressions.ts).
    const key = `${subject}\0${sample}\0${onset.value}`
    if (seen.has(key) && !LONG_VIDEO_FORMATS.includes(format)) report('warning', 'labels/duplicate-row', `Row ${rowNumber}: same subject, sample and onset as an earlier row`)
    seen.add(key)

    result.push({
      rowNumber,
      subject,
      sample,
      onset: onset.value,
      apex,
      offset,
      auText,
      emotion,
      ...(objectiveClass ? { objectiveClass } : {}),
      ...(expressionType ? { expressionType } : {}),
    })
  }
  return result
}
