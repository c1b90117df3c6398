import { parseAus } from '@shared/domain/au'
import { ANNOTATION_STATUSES, ANNOTATOR_ROLES, type AnnotationStatus, type AnnotatorRole } from '@shared/domain/annotation'
import type { Cell, SheetGrid } from '../../formats'
import { frameCell, textCell, type CodingRow } from './rows'

/**
 * The reading half of the CASME II-shaped codes workbook (`xlsx.ts` writes it), apart so that the
 * sheet worker that runs it does not load exceljs: the workbook is read by `readWorkbook`.
 */
export const XLSX_INDEX_SHEET = 'ME Studio'
export const INDEX_COLUMNS = ['Sheet', 'Dataset', 'Coder', 'Role', 'Adjudicated'] as const

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
