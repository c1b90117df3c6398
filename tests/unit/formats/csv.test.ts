import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { csvCell, csvRow, formatNumber, neutraliseFormula, num, parseCsv, restoreNeutralised, text } from '../../../src/main/services/formats/csv'
import { writeFileAtomic } from '../../../src/main/services/fs-atomic'

describe('CSV cells', () => {
  it('quotes per RFC 4180 and ends rows with CRLF', () => {
    expect(csvRow([text('plain'), text('a,b'), text('say "hi"'), text('two\nlines'), null, num(3)])).toBe('plain,"a,b","say ""hi""","two\nlines",,3\r\n')
  })

  it('neutralises text a spreadsheet would run as a formula', () => {
    for (const danger of ['=SUM(A1:A9)', '+1', '-2+3', '@cmd', '\tTAB', '\rCR', "=HYPERLINK(\"http://x\",\"y\")"]) {
      expect(neutraliseFormula(danger)).toBe(`'${danger}`)
    }
    expect(csvCell(text('=1+1'))).toBe("'=1+1")
    expect(csvCell(text('=A1,B1'))).toBe(`"'=A1,B1"`)
    expect(neutraliseFormula('sub-01')).toBe('sub-01')
    expect(neutraliseFormula('happiness')).toBe('happiness')
  })

  it('leaves negative numbers in numeric columns alone but neutralises a text cell that looks like one', () => {
    expect(csvCell(num(-0.25))).toBe('-0.25')
    expect(csvCell(num(-3, 3))).toBe('-3.000')
    expect(csvCell(text('-1'))).toBe("'-1")
  })

  it('round-trips text that already starts with a quote before a formula character', () => {
    for (const value of ["'=1", "''+2", '=HYPERLINK("http://x")', "it's", "'plain"]) expect(restoreNeutralised(neutraliseFormula(value))).toBe(value)
    expect(neutraliseFormula("'=1")).toBe("''=1")
    expect(neutraliseFormula("'plain")).toBe("'plain")
  })

  it('quotes cells with leading or trailing spaces, which other readers trim', () => {
    expect(csvCell(text('  padded  '))).toBe('"  padded  "')
    expect(parseCsv(csvRow([text('  padded  ')]))).toEqual([['  padded  ']])
  })

  it('formats numbers the same way every time', () => {
    expect(formatNumber(0.1 + 0.2, 6)).toBe('0.300000')
    expect(formatNumber(-0.0000001, 3)).toBe('0.000')
    expect(formatNumber(200)).toBe('200')
    expect(csvCell(num(Number.NaN))).toBe('')
  })

  it('parses what it writes, including quoted newlines, and restores neutralised cells', () => {
    const written = 'a,b,c\r\n' + csvRow([text('x,"y"'), text('=1'), text('line1\r\nline2')]) + csvRow([null, num(-1.5), text('')])
    const rows = parseCsv(written)
    expect(rows).toEqual([
      ['a', 'b', 'c'],
      ['x,"y"', "'=1", 'line1\r\nline2'],
      ['', '-1.5', ''],
    ])
    expect(restoreNeutralised(rows[1]![1]!)).toBe('=1')
    expect(() => parseCsv('a,"open\r\n')).toThrow(/line 1 is never closed/)
    expect(parseCsv('\ufeffh\nv\n')).toEqual([['h'], ['v']])
  })
})

describe('writeFileAtomic', () => {
  let dir: string
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'me-atomic-'))))
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('replaces the file in one step and leaves no temporary file', async () => {
    const file = join(dir, 'out', 'preds.csv')
    await writeFileAtomic(file, 'first')
    await writeFileAtomic(file, async (write) => {
      await write('sec')
      await write(new TextEncoder().encode('ond'))
    })
    expect(readFileSync(file, 'utf8')).toBe('second')
    expect(readdirSync(join(dir, 'out'))).toEqual(['preds.csv'])
  })

  it('keeps the old file intact and cleans up when writing fails midway', async () => {
    const file = join(dir, 'preds.csv')
    writeFileSync(file, 'previous export')
    await expect(
      writeFileAtomic(file, async (write) => {
        await write('partial row,')
        throw new Error('disk full')
      }),
    ).rejects.toThrow('disk full')
    expect(readFileSync(file, 'utf8')).toBe('previous export')
    expect(readdirSync(dir)).toEqual(['preds.csv'])
    const fresh = join(dir, 'never.csv')
    await expect(writeFileAtomic(fresh, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(existsSync(fresh)).toBe(false)
  })

  it('never replaces an existing file when asked not to, even one that appears while writing', async () => {
    const file = join(dir, 'preds.csv')
    writeFileSync(file, 'previous export')
    await expect(writeFileAtomic(file, 'new', { overwrite: false })).rejects.toMatchObject({ code: 'export/target-exists' })
    expect(readFileSync(file, 'utf8')).toBe('previous export')
    const late = join(dir, 'late.csv')
    await expect(
      writeFileAtomic(late, async (write) => {
        await write('new')
        writeFileSync(late, 'written by someone else meanwhile')
      }, { overwrite: false }),
    ).rejects.toMatchObject({ code: 'export/target-exists' })
    expect(readFileSync(late, 'utf8')).toBe('written by someone else meanwhile')
    await writeFileAtomic(join(dir, 'fresh.csv'), 'new', { overwrite: false })
    expect(readdirSync(dir).sort()).toEqual(['fresh.csv', 'late.csv', 'preds.csv'])
  })
})
