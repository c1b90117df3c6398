import type ExcelJS from 'exceljs'

/**
 * A new exceljs workbook whose metadata dates are `date`, so the same content gives the same bytes
 * (with `pinZipTimestamps`). exceljs is loaded here, on use, not with the modules that write
 * workbooks: the studio imports them at start, and exceljs costs ≈0.5 s CPU to load.
 */
export async function pinnedWorkbook(creator: string, date: Date): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs')
  const workbook = new Excel.Workbook()
  workbook.creator = creator
  workbook.created = date
  workbook.modified = date
  return workbook
}
