import { formatCount, sheetError, type SheetLimits } from './limits'

/** A cell after reading: rich text, formulas and hyperlinks reduced to what the cell shows. */
export type Cell = string | number | null

export interface SheetGrid {
  name: string
  /** rows[i] is spreadsheet row i + 1; cells[j] is column j + 1. */
  rows: Cell[][]
}

/**
 * Collects the cells of a workbook's sheets into grids, enforcing the row, column, cell and
 * cell-length limits as cells arrive (a row number or column far out counts as that many rows or
 * columns: the grid would hold them all).
 */
export class GridBuilder {
  private name = ''
  private rows: Cell[][] = []
  /** Cells of the workbook so far, each row counted as wide as its last cell. */
  private cells = 0
  /** Characters of text in those cells: many cells naming one long shared string would otherwise grow the copy made for the caller far beyond the file. */
  private chars = 0

  constructor(
    private readonly limits: SheetLimits,
    private readonly what: string,
  ) {}

  startSheet(name: string): void {
    this.name = name
    this.rows = []
  }

  /** 1-based row and column. */
  set(row: number, column: number, value: Cell): void {
    if (row > this.limits.maxRows) {
      throw sheetError('sheet/too-many-rows', `${this.what}: sheet "${this.name}" has more than ${formatCount(this.limits.maxRows)} rows (the limit)`)
    }
    if (column > this.limits.maxColumns) {
      throw sheetError('sheet/too-many-columns', `${this.what}: sheet "${this.name}" has more than ${formatCount(this.limits.maxColumns)} columns (the limit)`)
    }
    if (typeof value === 'string' && value.length > this.limits.maxCellChars) {
      throw sheetError('sheet/cell-too-long', `${this.what}: a cell of sheet "${this.name}" is longer than ${formatCount(this.limits.maxCellChars)} characters (the limit; Excel's own is the same)`)
    }
    if (typeof value === 'string') {
      this.chars += value.length
      if (this.chars > this.limits.maxBytes) throw sheetError('sheet/too-large', `${this.what}: its cells hold more than ${formatCount(this.limits.maxBytes)} characters of text (the limit)`)
    }
    const cells = (this.rows[row - 1] ??= [])
    if (column > cells.length) {
      this.cells += column - cells.length
      if (this.cells > this.limits.maxCells) {
        throw sheetError('sheet/too-large', `${this.what} has more than ${formatCount(this.limits.maxCells)} cells (the limit)`)
      }
      while (cells.length < column) cells.push(null)
    }
    cells[column - 1] = value
  }

  /** The sheet read, rows without cells as empty rows. */
  endSheet(): SheetGrid {
    return { name: this.name, rows: Array.from(this.rows, (r) => r ?? []) }
  }

  /** Appends a whole row (csv): columns past the last are the row's length. */
  addRow(cells: Cell[]): void {
    const row = this.rows.length + 1
    cells.forEach((value, i) => this.set(row, i + 1, value))
    if (cells.length === 0) this.rows.push([])
  }

  damaged(what: string): Error {
    return sheetError('sheet/unreadable', `${this.what} is damaged: sheet "${this.name}" has ${what}`)
  }
}
