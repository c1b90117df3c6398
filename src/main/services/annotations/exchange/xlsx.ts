import { pinnedWorkbook } from '../../formats/workbook'
import { formatAus } from '@shared/domain/au'
import { pinZipTimestamps } from '../../formats/zip-timestamps'
import type { CodingRow } from './rows'
import { INDEX_COLUMNS, XLSX_INDEX_SHEET } from './xlsx-read'

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

const FIXED_DATE = new Date(Date.UTC(2026, 0, 1))

export async function codesToXlsx(rows: readonly CodingRow[]): Promise<Uint8Array> {
  const workbook = await pinnedWorkbook('ME Studio', FIXED_DATE)
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
  // Pinned dates and ZIP entry times: exporting the same codes twice gives the same bytes.
  return pinZipTimestamps(new Uint8Array(await workbook.xlsx.writeBuffer()))
}

/** Excel sheet names: ≤ 31 characters, none of \ / ? * [ ] :, unique case-insensitively. */
function uniqueSheetName(title: string, used: Set<string>): string {
  const clean = title.replace(/[\\/?*[\]:]/g, '_').slice(0, 31) || 'Sheet'
  let name = clean
  for (let n = 2; [...used].some((u) => u.toLowerCase() === name.toLowerCase()); n++) name = `${clean.slice(0, 31 - String(n).length - 1)}~${n}`
  used.add(name)
  return name
}
