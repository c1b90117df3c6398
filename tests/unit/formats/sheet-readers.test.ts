import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { SHEET_LIMITS, parseDelimited, readSheetFile, readWorkbook, type Cell, type SheetLimits } from '../../../src/main/services/formats'
import { DelimitedReader } from '../../../src/main/services/formats/delimited'
import { XmlStreamReader } from '../../../src/main/services/formats/xml'
import { codesFromEaf } from '../../../src/main/services/annotations/exchange/eaf'
import { readCodes } from '../../../src/main/services/annotations/exchange/read'
import { BILLION_LAUGHS_DOCTYPE, XXE_DOCTYPE, eafText, writeDeepXml, writeEntityXlsx, writeXlsx, writeZip } from '../../helpers/sheet-bombs'
import { scratchDir } from '../project/project-fixture'

const scratch = scratchDir('me-sheets-')
afterAll(() => scratch.cleanup())
const file = (name: string) => join(scratch.dir, name)

const limits = (overrides: Partial<SheetLimits>): SheetLimits => ({ ...SHEET_LIMITS, ...overrides })

/** Every event of an XML text, fed in the given chunks. */
function xmlEvents(chunks: string[], keepText = true): string[] {
  const events: string[] = []
  const reader = new XmlStreamReader(
    {
      open: (name, attrs) => events.push(`<${name} ${JSON.stringify(attrs)}>`),
      close: (name) => events.push(`</${name}>`),
      text: (text) => events.push(`text ${JSON.stringify(text)}`),
      wantsText: () => keepText,
    },
    SHEET_LIMITS,
    'test.xml',
  )
  for (const chunk of chunks) reader.write(chunk)
  reader.end()
  return events
}

function splitAt(text: string, cuts: number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
  return [...at, text.length].map((end, i) => text.slice(i === 0 ? 0 : at[i - 1], end))
}

describe('streaming XML reader', () => {
  const doc =
    '\ufeff<?xml version="1.0"?><!-- a > comment --><x:sst a="1 &amp; 2" b=\'>\'><si><t>caf\u00e9 &lt;&#65;&#x42;&quot;</t></si><si><t><![CDATA[<raw> & ]]]></t></si><e/></x:sst>'

  it('gives the same events however the text is cut into chunks (property)', () => {
    const whole = xmlEvents([doc])
    expect(whole).toEqual([
      '<sst {"a":"1 & 2","b":">"}>',
      '<si {}>',
      '<t {}>',
      'text "café <AB\\""',
      '</t>',
      // With text wanted everywhere, each element gets the text since its last child.
      'text ""',
      '</si>',
      '<si {}>',
      '<t {}>',
      'text "<raw> & ]"',
      '</t>',
      'text ""',
      '</si>',
      '<e {}>',
      '</e>',
      'text ""',
      '</sst>',
    ])
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(xmlEvents(splitAt(doc, cuts))).toEqual(whole)
      }),
      { numRuns: 300 },
    )
    expect(xmlEvents([...doc])).toEqual(whole)
  })

  it('refuses a DTD, so billion laughs and external entities never expand', () => {
    for (const doctype of [BILLION_LAUGHS_DOCTYPE, XXE_DOCTYPE]) {
      expect(() => xmlEvents([`<?xml version="1.0"?>${doctype}<r>&lol9;&xxe;</r>`])).toThrow(expect.objectContaining({ code: 'sheet/unreadable', message: expect.stringMatching(/DOCTYPE/) }))
    }
    expect(() => xmlEvents(['<r>&lol9;</r>'])).toThrow(expect.objectContaining({ code: 'sheet/unreadable', message: expect.stringMatching(/undefined entity &lol9;/) }))
    expect(() => xmlEvents(['<r>AT&T</r>'])).toThrow(expect.objectContaining({ code: 'sheet/unreadable' }))
  })

  it('refuses deep nesting, long kept text and malformed markup, naming the limit', () => {
    const deep = '<a>'.repeat(65) + '</a>'.repeat(65)
    expect(() => xmlEvents([deep])).toThrow(expect.objectContaining({ code: 'sheet/unreadable', message: expect.stringMatching(/nested deeper than 64/) }))
    expect(xmlEvents(['<a>'.repeat(64) + '</a>'.repeat(64)], false)).toHaveLength(128)
    const long = `<t>${'x'.repeat(SHEET_LIMITS.maxCellChars + 1)}</t>`
    expect(() => xmlEvents([long])).toThrow(expect.objectContaining({ code: 'sheet/cell-too-long', message: expect.stringMatching(/32,767 characters/) }))
    // Text nobody asked for is skipped, not kept: no limit applies to it.
    expect(xmlEvents([long], false)).toEqual(['<t {}>', '</t>'])
    for (const bad of ['<a><b></a></b>', '<a>', '<a></a><b></b>', 'text<a/>', '<a x="1></a>', `<a x="${'y'.repeat(70_000)}"/>`, '']) {
      expect(() => xmlEvents([bad]), bad.slice(0, 20)).toThrow(expect.objectContaining({ code: 'sheet/unreadable' }))
    }
  })
})

describe('streaming CSV reader', () => {
  const csv = '\ufeffsubject;sample;note\r\ns01; EP01 ;"a ""quoted""\r\nline";\r\n\r\n"x";;"";\n'

  function rowsOf(chunks: string[], options: Partial<SheetLimits> = {}): Cell[][] {
    const rows: Cell[][] = []
    const reader = new DelimitedReader((row) => rows.push(row), limits(options), 'test.csv')
    for (const chunk of chunks) reader.write(chunk)
    reader.end()
    return rows
  }

  it('gives the same rows however the text is cut (CRLF and doubled quotes across chunks; property)', () => {
    const whole = rowsOf([csv])
    expect(whole).toEqual([
      ['subject', 'sample', 'note'],
      ['s01', 'EP01', 'a "quoted"\r\nline', null],
      [null],
      ['x', null, '', null],
    ])
    expect(parseDelimited(csv)).toEqual(whole)
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), (cuts) => {
        expect(rowsOf(splitAt(csv, cuts))).toEqual(whole)
      }),
      { numRuns: 300 },
    )
    expect(rowsOf([...csv])).toEqual(whole)
  })

  it('refuses at each limit, naming it, and an unclosed quote naming its line', () => {
    expect(() => rowsOf(['a\nb\nc\n'], { maxRows: 2 })).toThrow(expect.objectContaining({ code: 'sheet/too-many-rows', message: expect.stringMatching(/more than 2 rows/) }))
    expect(() => rowsOf(['a,b,c\n'], { maxColumns: 2 })).toThrow(expect.objectContaining({ code: 'sheet/too-many-columns', message: expect.stringMatching(/line 1 has more than 2 columns/) }))
    expect(() => rowsOf(['a,"', 'x'.repeat(11), '"\n'], { maxCellChars: 10 })).toThrow(expect.objectContaining({ code: 'sheet/cell-too-long', message: expect.stringMatching(/line 1 is longer than 10 characters/) }))
    expect(() => rowsOf(['a,b\nc,d\n'], { maxCells: 3 })).toThrow(expect.objectContaining({ code: 'sheet/too-large', message: expect.stringMatching(/more than 3 cells/) }))
    expect(() => rowsOf(['a,b\n1,"open\n\n'])).toThrow(expect.objectContaining({ code: 'sheet/unreadable', message: expect.stringMatching(/opened on line 2 is never closed/) }))
  })

  it('refuses a file over the size limit before reading it', async () => {
    const big = file('big.csv')
    writeFileSync(big, 'a,b\n'.repeat(100))
    await expect(readSheetFile(big, limits({ maxBytes: 100 }))).rejects.toMatchObject({ code: 'sheet/too-large', message: expect.stringMatching(/larger than 100 bytes/) })
    await expect(readSheetFile(big, SHEET_LIMITS)).resolves.toEqual([{ name: 'csv', rows: Array.from({ length: 100 }, () => ['a', 'b']) }])
  })
})

describe('streaming xlsx reader', () => {
  it('reads what exceljs writes: shared and inline strings, numbers, booleans, formulas, rich text, several sheets', async () => {
    const workbook = new ExcelJS.Workbook()
    const first = workbook.addWorksheet('Codes')
    first.addRow(['Subject', 'Filename', null, 'OnsetFrame'])
    first.addRow(['01', 'EP02_01f', null, 46])
    first.getCell('E2').value = { formula: 'D2+1', result: 47 }
    first.getCell('F2').value = { richText: [{ text: 'rich ' }, { text: 'text', font: { bold: true } }] }
    first.getCell('G2').value = true
    first.getCell('B4').value = 'after a gap'
    workbook.addWorksheet('naming rule2').addRow(['anger1', '0401'])
    const path = file('exceljs.xlsx')
    await workbook.xlsx.writeFile(path)
    expect(await readWorkbook(path, SHEET_LIMITS)).toEqual([
      {
        name: 'Codes',
        rows: [['Subject', 'Filename', null, 'OnsetFrame'], ['01', 'EP02_01f', null, 46, 47, 'rich text', 'TRUE'], [], [null, 'after a gap']],
      },
      { name: 'naming rule2', rows: [['anger1', '0401']] },
    ])
  })

  it('counts a far row or column as the rows and columns a grid would hold', async () => {
    const farRow = file('far-row.xlsx')
    await writeXlsx(farRow, ['<row r="1048576"><c r="A1048576"><v>1</v></c></row>'])
    await expect(readWorkbook(farRow, SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/too-many-rows', message: expect.stringMatching(/more than 100,000 rows/) })
    const farColumn = file('far-column.xlsx')
    await writeXlsx(farColumn, ['<row r="1"><c r="XFD1"><v>1</v></c></row>'])
    await expect(readWorkbook(farColumn, SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/too-many-columns', message: expect.stringMatching(/more than 256 columns/) })
    // 10,000 rows of one cell in column 250: 2.5 M cells of grid from 400 KB of XML.
    const sparse = file('sparse.xlsx')
    await writeXlsx(sparse, Array.from({ length: 10_000 }, () => '<row><c r="IP1"><v>1</v></c></row>'))
    await expect(readWorkbook(sparse, SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/too-large', message: expect.stringMatching(/more than 2,000,000 cells/) })
  })

  it('counts the text of cells, so many cells naming one long shared string cannot amplify the file', async () => {
    const path = file('amplified.xlsx')
    // 3,000 cells × one 32,767-character string: 98 M characters from a file of a few KB.
    await writeXlsx(path, Array.from({ length: 100 }, () => `<row>${'<c t="s"><v>0</v></c>'.repeat(30)}</row>`), { strings: [`<si><t>${'A'.repeat(32_767)}</t></si>`] })
    await expect(readWorkbook(path, SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/too-large', message: expect.stringMatching(/more than 67,108,864 characters of text \(the limit\)/) })
  })

  it('counts inflated bytes when the declared size lies', async () => {
    const path = file('lying.xlsx')
    await writeXlsx(path, Array.from({ length: 2_000 }, () => '<row><c><v>12345</v></c></row>'), { declaredSheetSize: 10 })
    await expect(readWorkbook(path, limits({ maxBytes: 20_000 }))).rejects.toMatchObject({ code: 'sheet/too-large', message: expect.stringMatching(/more than 20,000 bytes .*inflates past it/) })
    await expect(readWorkbook(path, SHEET_LIMITS)).resolves.toHaveLength(1)
  })

  it('refuses DTDs (billion laughs, XXE), deep XML, non-ZIP and damaged archives as unreadable', async () => {
    for (const [name, doctype, ref] of [
      ['laughs.xlsx', BILLION_LAUGHS_DOCTYPE, 'lol9'],
      ['xxe.xlsx', XXE_DOCTYPE, 'xxe'],
    ] as const) {
      await writeEntityXlsx(file(name), doctype, ref)
      await expect(readWorkbook(file(name), SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/unreadable', message: expect.stringMatching(/DOCTYPE/) })
    }
    await writeDeepXml(file('deep.xlsx'), 100_000)
    await expect(readWorkbook(file('deep.xlsx'), SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/unreadable', message: expect.stringMatching(/nested deeper than 64/) })
    writeFileSync(file('text.xlsx'), 'this is not a zip')
    await expect(readWorkbook(file('text.xlsx'), SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/unreadable', message: expect.stringMatching(/not a ZIP archive/) })
    await writeZip(file('empty-zip.xlsx'), [{ name: 'hello.txt', content: ['hi'] }])
    await expect(readWorkbook(file('empty-zip.xlsx'), SHEET_LIMITS)).rejects.toMatchObject({ code: 'sheet/unreadable', message: expect.stringMatching(/no xl\/workbook\.xml/) })
  })
})

describe('ELAN reading', () => {
  const text = (options: Parameters<typeof eafText>[0]) => [...eafText(options)].join('')

  it('reads an ME Studio .eaf and refuses DTDs, deep nesting and long values', () => {
    expect(codesFromEaf(text({})).rows.map((r) => [r.coder, r.fields.onset, r.fields.offset, r.fields.emotion])).toEqual([['Kim', 46, 86, 'happiness']])
    for (const doctype of [BILLION_LAUGHS_DOCTYPE, XXE_DOCTYPE]) {
      expect(() => codesFromEaf(text({ doctype, value: '&lol9;' }))).toThrow(expect.objectContaining({ code: 'sheet/unreadable' }))
    }
    expect(() => codesFromEaf(text({ nesting: 1_000 }))).toThrow(expect.objectContaining({ code: 'sheet/unreadable', message: expect.stringMatching(/nested deeper than 64/) }))
    expect(() => codesFromEaf(text({ valueChars: 40_000 }))).toThrow(expect.objectContaining({ code: 'sheet/cell-too-long' }))
  })

  it('says what it did not take: a second annotation on a tier, a tier it does not know, value parts it does not write', async () => {
    const xml = text({ value: 'AU: 12 | emotion: happiness | status: finished | mood: calm' })
      .replace('</ANNOTATION></TIER>', '</ANNOTATION><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>status: done</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER>')
      .replace('</ANNOTATION_DOCUMENT>', '<TIER TIER_ID="Kim gaze" PARENT_REF="Kim" LINGUISTIC_TYPE_REF="gaze"><ANNOTATION><REF_ANNOTATION ANNOTATION_ID="a3" ANNOTATION_REF="a1"><ANNOTATION_VALUE>left</ANNOTATION_VALUE></REF_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>')
    const codes = codesFromEaf(xml)
    expect(codes.rows.map((r) => [r.coder, r.fields.onset, r.fields.offset, r.fields.emotion, r.fields.status])).toEqual([['Kim', 46, 86, 'happiness', 'draft']])
    expect(codes.ignored).toEqual([
      'tier "Kim": 1 annotation(s) after the first (ME Studio reads one coding per tier)',
      'tier "Kim gaze" (under "Kim"): neither an AU nor an emotion tier',
      'tier "Kim": status "finished" is none of draft, done (read as draft)',
      'tier "Kim": "mood: calm" is not a part ME Studio writes',
    ])
    expect(codesFromEaf(text({})).ignored).toEqual([])
    const path = file('extra.eaf')
    writeFileSync(path, xml)
    expect((await readCodes(path)).ignored[0]).toBe('extra.eaf: tier "Kim": 1 annotation(s) after the first (ME Studio reads one coding per tier)')
  })

  it('refuses a codes file over the size limit before reading it', async () => {
    const path = file('codes.eaf')
    writeFileSync(path, text({}))
    await expect(readCodes(path, {}, limits({ maxBytes: 100 }))).rejects.toMatchObject({ code: 'sheet/too-large', message: expect.stringMatching(/codes\.eaf is larger than 100 bytes/) })
    expect((await readCodes(path)).rows).toHaveLength(1)
  })
})
