import ExcelJS from 'exceljs'
import { formatAus, parseAus } from '@shared/domain/au'
import { ANNOTATION_STATUSES, ANNOTATOR_ROLES, type AnnotationStatus, type AnnotatorRole } from '@shared/domain/annotation'
import type { Cell, SheetGrid } from '../../sheets'
import { frameCell, textCell, type CodingRow } from './rows'

/**
 * Codes as a CASME II-shaped workbook: one worksheet per coder (and dataset) with CASME II's
 * columns — Subject, Filename, (blank), OnsetFrame, ApexFrame, OffsetFrame, (blank), Action
 * Units, Estimated Emotion — then Objective Class, Notes, Confidence, Status. A missing apex is
 * written `/` as in CASME II. A last sheet, "ME Studio", says which coder each sheet holds, so
 * the file imports back losslessly; without it (a sheet from elsewhere) the caller names the coder.
 */
export const XLSX_COLUMNS = [
  'Subject',
  'Filename',
  '',
  'OnsetFrame',
  'ApexFrame',
  'OffsetFrame',
  '',
  'Action Units',
  'Estimated Emotion',
  'Objective Class',
  'Notes',
  'Confidence',
  'Status',
] as const
export const XLSX_INDEX_SHEET = 'ME Studio'
const INDEX_COLUMNS = ['Sheet', 'Dataset', 'Coder', 'Role', 'Adjudicated'] as const

const FIXED_DATE = new Date(Date.UTC(2026, 0, 1))

export async function codesToXlsx(rows: readonly CodingRow[]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = 'ME Studio'
  workbook.created = FIXED_DATE
  workbook.modified = FIXED_DATE
  const groups = new Map<string, CodingRow[]>()
  for (const r of rows) {
    const key = JSON.stringify([r.dataset, r.coder, r.role, r.adjudicated])
    const list = groups.get(key)
    if (list) list.push(r)
    else groups.set(key, [r])
  }
  const datasets = new Set(rows.map((r) => r.dataset))
  const used = new Set<string>([XLSX_INDEX_SHEET])
  const index: (string | number)[][] = []
  for (const group of groups.values()) {
    const first = group[0]!
    const title = `${first.coder}${first.adjudicated ? ' (adjudicated)' : ''}${datasets.size > 1 ? ` - ${first.dataset}` : ''}`
    const name = uniqueSheetName(title, used)
    const sheet = workbook.addWorksheet(name)
    sheet.addRow([...XLSX_COLUMNS])
    for (const r of group) {
      const f = r.fields
      sheet.addRow([
        r.subject,
        r.sample,
        '',
        f.onset ?? '',
        f.apex ?? '/',
        f.offset ?? '',
        '',
        formatAus(f.aus),
        f.emotion ?? '',
        f.objectiveClass ?? '',
        f.notes,
        f.confidence ?? '',
        f.status,
      ])
    }
    index.push([name, first.dataset, first.coder, first.role, first.adjudicated ? 1 : 0])
  }
  const meta = workbook.addWorksheet(XLSX_INDEX_SHEET)
  meta.addRow([...INDEX_COLUMNS])
  for (const row of index) meta.addRow(row)
  return new Uint8Array(await workbook.xlsx.writeBuffer())
}

/** Excel sheet names: ≤ 31 characters, none of \ / ? * [ ] :, unique case-insensitively. */
function uniqueSheetName(title: string, used: Set<string>): string {
  const clean = title.replace(/[\\/?*[\]:]/g, '_').slice(0, 31) || 'Sheet'
  let name = clean
  for (let n = 2; [...used].some((u) => u.toLowerCase() === name.toLowerCase()); n++) name = `${clean.slice(0, 31 - String(n).length - 1)}~${n}`
  used.add(name)
  return name
}

export interface XlsxImportOptions {
  /** Coder for sheets the index does not describe (a coding sheet from elsewhere); default: the sheet name. */
  coder?: string | undefined
  /** Dataset name for those sheets. */
  dataset?: string | undefined
}

/** Codes from a workbook's sheets as read by `readWorkbook` (streaming, within the sheet limits). */
export function codesFromXlsx(sheets: readonly SheetGrid[], options: XlsxImportOptions = {}): CodingRow[] {
  const described = new Map<string, { dataset: string; coder: string; role: AnnotatorRole; adjudicated: boolean }>()
  const indexSheet = sheets.find((s) => s.name === XLSX_INDEX_SHEET)
  for (const row of indexSheet?.rows.slice(1) ?? []) {
    const [sheet, dataset, coder, role, adjudicated] = INDEX_COLUMNS.map((_, i) => cellText(row[i]))
    if (!sheet || !coder) continue
    described.set(sheet, {
      dataset: dataset ?? '',
      coder,
      role: ANNOTATOR_ROLES.includes(role as AnnotatorRole) ? (role as AnnotatorRole) : 'coder',
      adjudicated: adjudicated === '1',
    })
  }
  const rows: CodingRow[] = []
  for (const sheet of sheets) {
    if (sheet.name === XLSX_INDEX_SHEET) continue
    const who = described.get(sheet.name) ?? { dataset: options.dataset ?? '', coder: options.coder ?? sheet.name, role: 'coder' as const, adjudicated: false }
    const header = findHeader(sheet)
    if (!header) continue
    for (let r = header.row + 1; r < sheet.rows.length; r++) {
      const row = sheet.rows[r]!
      const get = (name: string) => {
        const c = header.columns.get(name)
        return c === undefined ? null : cellText(row[c])
      }
      const subject = get('subject')
      const sample = get('filename')
      if (!subject || !sample) continue
      const where = `sheet "${sheet.name}" row ${r + 1}`
      const confidence = textCell(get('confidence'))
      const status = get('status') as AnnotationStatus
      rows.push({
        ...who,
        subject,
        sample,
        fps: 0,
        firstFrame: null,
        fields: {
          onset: frameCell(get('onsetframe'), `${where}, OnsetFrame`),
          apex: frameCell(get('apexframe'), `${where}, ApexFrame`),
          offset: frameCell(get('offsetframe'), `${where}, OffsetFrame`),
          aus: parseAus(get('action units')).value,
          emotion: textCell(get('estimated emotion')),
          objectiveClass: textCell(get('objective class')),
          notes: get('notes') ?? '',
          confidence: confidence === null ? null : Number(confidence),
          status: ANNOTATION_STATUSES.includes(status) ? status : 'draft',
        },
      })
    }
  }
  return rows
}

const HEADER_ALIASES: Record<string, string> = {
  'onset frame': 'onsetframe',
  onset: 'onsetframe',
  'apex frame': 'apexframe',
  apex: 'apexframe',
  'offset frame': 'offsetframe',
  offset: 'offsetframe',
  au: 'action units',
  aus: 'action units',
  emotion: 'estimated emotion',
  'objective classes': 'objective class',
}

/** The header row (0-based): the first of the first 20 rows with Subject and Filename (SAMM's is row 13); columns 0-based. */
function findHeader(sheet: SheetGrid): { row: number; columns: Map<string, number> } | null {
  for (let r = 0; r < Math.min(20, sheet.rows.length); r++) {
    const columns = new Map<string, number>()
    sheet.rows[r]!.forEach((cell, c) => {
      const name = (cellText(cell) ?? '').trim().toLowerCase()
      if (name) columns.set(HEADER_ALIASES[name] ?? name, c)
    })
    if (columns.has('subject') && columns.has('filename')) return { row: r, columns }
  }
  return null
}

function cellText(value: Cell | undefined): string | null {
  return value === null || value === undefined ? null : String(value)
}
