/**
 * Hostile label sheets and codes files, generated at run time: xlsx archives written entry by
 * entry through a streaming deflate (so a 300 MB sheet costs the test only its ~1 MB compressed
 * form), csv and .eaf text, each built to exhaust a reader that holds everything.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs'
import { crc32, createDeflateRaw } from 'node:zlib'

export interface ZipPart {
  name: string
  /** The entry's text, as pieces (repeated pieces are how a bomb is written without holding it). */
  content: Iterable<string>
  /** Size written into the ZIP headers instead of the real one (a lying archive). */
  declaredSize?: number
}

/** Writes a ZIP archive of deflated entries; returns the file size. */
export async function writeZip(path: string, parts: ZipPart[]): Promise<number> {
  const fd = openSync(path, 'w')
  const central: Buffer[] = []
  let offset = 0
  try {
    for (const part of parts) {
      const { data, crc, size } = await deflate(part.content)
      const declared = part.declaredSize ?? size
      const name = Buffer.from(part.name, 'utf8')
      const local = Buffer.alloc(30)
      local.writeUInt32LE(0x04034b50, 0)
      local.writeUInt16LE(20, 4)
      local.writeUInt16LE(0x800, 6)
      local.writeUInt16LE(8, 8)
      local.writeUInt32LE(crc, 14)
      local.writeUInt32LE(data.length, 18)
      local.writeUInt32LE(declared, 22)
      local.writeUInt16LE(name.length, 26)
      const entry = Buffer.alloc(46)
      entry.writeUInt32LE(0x02014b50, 0)
      entry.writeUInt16LE(20, 4)
      entry.writeUInt16LE(20, 6)
      entry.writeUInt16LE(0x800, 8)
      entry.writeUInt16LE(8, 10)
      entry.writeUInt32LE(crc, 16)
      entry.writeUInt32LE(data.length, 20)
      entry.writeUInt32LE(declared, 24)
      entry.writeUInt16LE(name.length, 28)
      entry.writeUInt32LE(offset, 42)
      central.push(entry, name)
      for (const b of [local, name, data]) offset += writeSync(fd, b)
    }
    const directory = Buffer.concat(central)
    const end = Buffer.alloc(22)
    end.writeUInt32LE(0x06054b50, 0)
    end.writeUInt16LE(parts.length, 8)
    end.writeUInt16LE(parts.length, 10)
    end.writeUInt32LE(directory.length, 12)
    end.writeUInt32LE(offset, 16)
    writeSync(fd, directory)
    writeSync(fd, end)
    return offset + directory.length + end.length
  } finally {
    closeSync(fd)
  }
}

async function deflate(content: Iterable<string>): Promise<{ data: Buffer; crc: number; size: number }> {
  const deflater = createDeflateRaw({ level: 9, memLevel: 9 })
  const out: Buffer[] = []
  deflater.on('data', (b: Buffer) => out.push(b))
  const done = new Promise((resolve, reject) => deflater.on('end', resolve).on('error', reject))
  let crc = 0
  let size = 0
  for (const piece of content) {
    const bytes = Buffer.from(piece, 'utf8')
    crc = crc32(bytes, crc)
    size += bytes.length
    if (!deflater.write(bytes)) await new Promise((resolve) => deflater.once('drain', resolve))
  }
  deflater.end()
  await done
  return { data: Buffer.concat(out), crc, size }
}

/** `piece` `times` times, in pieces of about a megabyte. */
export function* repeat(piece: string, times: number): Generator<string> {
  const per = Math.max(1, Math.floor((1 << 20) / piece.length))
  const block = piece.repeat(Math.min(per, times))
  let left = times
  for (; left >= per; left -= per) yield block
  if (left > 0) yield piece.repeat(left)
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
const WORKBOOK = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const SHEET_TAIL = '</sheetData></worksheet>'
const SST_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

/** CASME II's header and a row in its shape (shared strings 0–8). */
const CASME2_STRINGS = ['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion', 'sub01', 'EP02_01f', '12', 'happiness']
const s = (i: number) => `<c t="s"><v>${i}</v></c>`
const n = (v: number) => `<c><v>${v}</v></c>`
const HEADER_ROW = `<row>${s(0)}${s(1)}<c/>${s(2)}${s(3)}${s(4)}<c/>${s(5)}${s(6)}</row>`
const CASME2_ROW = `<row>${s(7)}${s(8)}<c/>${n(46)}${n(59)}${n(86)}<c/>${s(9)}${s(10)}</row>`

/** A one-sheet workbook: the sheet's `<sheetData>` content and its shared strings as given. */
export function writeXlsx(path: string, sheetData: Iterable<string>, options: { strings?: Iterable<string>; declaredSheetSize?: number; sheetXml?: Iterable<string> } = {}): Promise<number> {
  const strings = options.strings ?? CASME2_STRINGS.map((t) => `<si><t>${t}</t></si>`)
  return writeZip(path, [
    { name: '[Content_Types].xml', content: [CONTENT_TYPES] },
    { name: '_rels/.rels', content: [ROOT_RELS] },
    { name: 'xl/workbook.xml', content: [WORKBOOK] },
    { name: 'xl/_rels/workbook.xml.rels', content: [WORKBOOK_RELS] },
    { name: 'xl/sharedStrings.xml', content: [SST_HEAD, ...strings, '</sst>'] },
    { name: 'xl/worksheets/sheet1.xml', content: options.sheetXml ?? [SHEET_HEAD, ...sheetData, SHEET_TAIL], ...(options.declaredSheetSize !== undefined ? { declaredSize: options.declaredSheetSize } : {}) },
  ])
}

/**
 * A CASME II-shaped label sheet of `rows` rows after its header (1.5 M rows: ~220 MB of XML,
 * ~0.9 MB on disk). `numbered` writes row and cell references (`<row r="2"><c r="A2">`), as Excel
 * does and exceljs needs; without them the rows compress better.
 */
export function writeCasme2Rows(path: string, rows: number, options: { declaredSheetSize?: number; numbered?: boolean } = {}): Promise<number> {
  const body = options.numbered ? numberedRows(rows) : [HEADER_ROW, ...repeat(CASME2_ROW, rows)]
  return writeXlsx(path, body, options.declaredSheetSize === undefined ? {} : { declaredSheetSize: options.declaredSheetSize })
}

function* numberedRows(rows: number): Generator<string> {
  const row = (r: number, cells: [string, string][]) => `<row r="${r}">${cells.map(([col, c]) => c.replace('<c', `<c r="${col}${r}"`)).join('')}</row>`
  const block = [row(1, [['A', s(0)], ['B', s(1)], ['D', s(2)], ['E', s(3)], ['F', s(4)], ['H', s(5)], ['I', s(6)]])]
  for (let r = 2; r <= rows + 1; r++) {
    block.push(row(r, [['A', s(7)], ['B', s(8)], ['D', n(46)], ['E', n(59)], ['F', n(86)], ['H', s(9)], ['I', s(10)]]))
    if (block.length === 10_000) yield block.splice(0).join('')
  }
  yield block.join('')
}

/** A CASME II sheet whose one shared string is `chars` characters long. */
export function writeHugeCell(path: string, chars: number): Promise<number> {
  return writeXlsx(path, [HEADER_ROW, `<row>${s(7)}${s(11)}</row>`], { strings: [...CASME2_STRINGS.map((t) => `<si><t>${t}</t></si>`), '<si><t>', ...repeat('A', chars), '</t></si>'] })
}

/** Elements nested `depth` deep inside the sheet. */
export function writeDeepXml(path: string, depth: number): Promise<number> {
  return writeXlsx(path, [], { sheetXml: [SHEET_HEAD, ...repeat('<sheetData>', depth), ...repeat('</sheetData>', depth), SHEET_TAIL] })
}

/** The classic "billion laughs": ten entities, each ten of the previous. */
export const BILLION_LAUGHS_DOCTYPE =
  '<!DOCTYPE lolz [<!ENTITY lol "lol">' +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('') +
  ']>'

/** An external entity that would read a local file. */
export const XXE_DOCTYPE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'

/** A workbook whose shared strings declare `doctype` and use `&reference;` as a cell. */
export function writeEntityXlsx(path: string, doctype: string, reference: string): Promise<number> {
  return writeZip(path, [
    { name: '_rels/.rels', content: [ROOT_RELS] },
    { name: 'xl/workbook.xml', content: [WORKBOOK] },
    { name: 'xl/_rels/workbook.xml.rels', content: [WORKBOOK_RELS] },
    { name: 'xl/sharedStrings.xml', content: ['<?xml version="1.0"?>', doctype, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Subject</t></si><si><t>&${reference};</t></si></sst>`] },
    { name: 'xl/worksheets/sheet1.xml', content: [SHEET_HEAD, `<row>${s(0)}</row><row>${s(1)}</row>`, SHEET_TAIL] },
  ])
}

/** A codes/label CSV of `rows` CASME II-shaped rows after its header. */
export function writeCsvRows(path: string, rows: number): void {
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, 'subject,sample,onset,apex,offset,aus,emotion\n')
    for (const block of repeat('sub01,EP02_01f,46,59,86,12,happiness\n', rows)) writeSync(fd, block)
  } finally {
    closeSync(fd)
  }
}

/** An ME Studio .eaf whose one annotation value is `chars` characters long (or with `doctype` before the root). */
export function eafText(options: { valueChars?: number; doctype?: string; value?: string; nesting?: number } = {}): Iterable<string> {
  const head = `<?xml version="1.0" encoding="UTF-8"?>${options.doctype ?? ''}
<ANNOTATION_DOCUMENT FORMAT="3.0" VERSION="3.0"><HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"><PROPERTY NAME="me-studio:dataset">d</PROPERTY><PROPERTY NAME="me-studio:subject">sub01</PROPERTY><PROPERTY NAME="me-studio:sample">EP02_01f</PROPERTY><PROPERTY NAME="me-studio:fps">200</PROPERTY><PROPERTY NAME="me-studio:first-frame">0</PROPERTY></HEADER>
<TIME_ORDER><TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="230"/><TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="435"/></TIME_ORDER>
<TIER TIER_ID="Kim" LINGUISTIC_TYPE_REF="me-interval" ANNOTATOR="Kim"><ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts2"><ANNOTATION_VALUE>`
  const tail = '</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION></TIER></ANNOTATION_DOCUMENT>\n'
  const nesting = options.nesting ?? 0
  return [head, ...(options.valueChars ? repeat('A', options.valueChars) : [options.value ?? 'AU: 12 | emotion: happiness | status: done']), ...repeat('<x>', nesting), ...repeat('</x>', nesting), tail]
}

export function writeText(path: string, pieces: Iterable<string>): void {
  writeFileSync(path, '')
  const fd = openSync(path, 'a')
  try {
    for (const piece of pieces) writeSync(fd, piece)
  } finally {
    closeSync(fd)
  }
}
