import { basename, posix } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { formatCount, sheetError, type SheetLimits } from './limits'
import { GridBuilder, type SheetGrid } from './grid'
import { XmlStreamReader, type XmlHandler } from './xml'
import { MAX_ZIP_ENTRIES, ZipReader, type ZipEntry } from './zip'

/** Sheets of a workbook, relationships of a part: a workbook has a few, and no more parts than ZIP entries. */
const MAX_PARTS = MAX_ZIP_ENTRIES

/**
 * Reads every sheet of an xlsx workbook into plain cell grids, streaming: the ZIP entries are
 * inflated chunk by chunk into a streaming XML reader, and only the grids (bounded by the limits)
 * and the shared strings are kept. Cells read as what they show: shared and inline strings (rich
 * text joined), numbers, `TRUE`/`FALSE`, a formula's cached result; errors are empty. Dates are the
 * number Excel stores (label sheets hold frame numbers and text). The file is only read.
 */
export async function readWorkbook(path: string, limits: SheetLimits): Promise<SheetGrid[]> {
  const what = basename(path)
  const zip = await ZipReader.open(path, limits.maxBytes, what)
  const entry = (name: string): ZipEntry | undefined => zip.entries.get(name)
  const parse = async (part: ZipEntry, handler: XmlHandler) => {
    const xml = new XmlStreamReader(handler, limits, `${what} (${part.name})`)
    const decoder = new StringDecoder('utf8')
    await zip.read(part, (chunk) => xml.write(decoder.write(chunk)))
    xml.write(decoder.end())
    xml.end()
  }

  const rootRels = entry('_rels/.rels')
  const rootTargets = rootRels ? await readRelationships(rootRels, '', parse) : []
  const workbookPath = rootTargets.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml'
  const workbook = entry(workbookPath)
  if (!workbook) throw sheetError('sheet/unreadable', `${what} is not an xlsx workbook (it has no ${workbookPath})`)
  const sheets: { name: string; rid: string }[] = []
  await parse(workbook, {
    open(name, attrs) {
      if (name !== 'sheet') return
      if (sheets.length >= MAX_PARTS) throw sheetError('sheet/too-large', `${what} has more than ${formatCount(MAX_PARTS)} sheets (the limit)`)
      const rid = Object.entries(attrs).find(([key]) => /^[^:]+:id$/.test(key))?.[1]
      if (attrs.name !== undefined && rid !== undefined) sheets.push({ name: attrs.name, rid })
    },
    close() {},
  })
  const workbookDir = posix.dirname(workbookPath)
  const relsPath = posix.join(workbookDir, '_rels', `${posix.basename(workbookPath)}.rels`)
  const relsEntry = entry(relsPath)
  const rels = relsEntry ? await readRelationships(relsEntry, workbookDir, parse) : []

  const sharedStringsPath = rels.find((r) => r.type.endsWith('/sharedStrings'))?.target
  const sharedEntry = sharedStringsPath ? entry(sharedStringsPath) : undefined
  const shared = sharedEntry ? await readSharedStrings(sharedEntry, limits, what, parse) : []

  const grid = new GridBuilder(limits, what)
  const grids: SheetGrid[] = []
  for (const sheet of sheets) {
    const target = rels.find((r) => r.id === sheet.rid)?.target
    const part = target ? entry(target) : undefined
    if (!part) throw sheetError('sheet/unreadable', `${what} is damaged: sheet "${sheet.name}" has no worksheet part`)
    grid.startSheet(sheet.name)
    await parse(part, worksheetHandler(grid, shared))
    grids.push(grid.endSheet())
  }
  return grids
}

interface Relationship {
  id: string
  type: string
  target: string
}

async function readRelationships(part: ZipEntry, baseDir: string, parse: (part: ZipEntry, handler: XmlHandler) => Promise<void>): Promise<Relationship[]> {
  const found: Relationship[] = []
  await parse(part, {
    open(name, attrs) {
      if (name !== 'Relationship' || attrs.TargetMode === 'External' || !attrs.Target) return
      if (found.length >= MAX_PARTS) throw sheetError('sheet/too-large', `${part.name} lists more than ${formatCount(MAX_PARTS)} relationships (the limit)`)
      // Targets are relative to the part's folder, or absolute from the package root.
      const target = attrs.Target.startsWith('/') ? attrs.Target.slice(1) : posix.normalize(posix.join(baseDir, attrs.Target))
      found.push({ id: attrs.Id ?? '', type: attrs.Type ?? '', target })
    },
    close() {},
  })
  return found
}

/** `<si>` items: plain (`<t>`) or rich text (`<r><t>`…); phonetic guides (`<rPh>`) are not shown text. */
async function readSharedStrings(part: ZipEntry, limits: SheetLimits, what: string, parse: (part: ZipEntry, handler: XmlHandler) => Promise<void>): Promise<string[]> {
  const strings: string[] = []
  let current: string | null = null
  let inPhonetic = false
  let inText = false
  await parse(part, {
    open(name) {
      if (name === 'si') {
        if (strings.length >= limits.maxCells) throw sheetError('sheet/too-large', `${what} has more than ${formatCount(limits.maxCells)} shared strings (the limit)`)
        current = ''
      } else if (name === 'rPh') inPhonetic = true
      inText = name === 't' && current !== null && !inPhonetic
    },
    wantsText: () => inText,
    text(text) {
      current += text
      if (current!.length > limits.maxCellChars) throw sheetError('sheet/cell-too-long', `${what}: a cell is longer than ${formatCount(limits.maxCellChars)} characters (the limit; Excel's own is the same)`)
    },
    close(name) {
      inText = false
      if (name === 'rPh') inPhonetic = false
      else if (name === 'si' && current !== null) {
        strings.push(current)
        current = null
      }
    },
  })
  return strings
}

/** `<row r>` / `<c r t>` with `<v>` (value, formula result or shared-string index) or `<is><t>` (inline string). */
function worksheetHandler(grid: GridBuilder, shared: readonly string[]): XmlHandler {
  let row = 0
  let column = 0
  let type = ''
  let value: string | null = null
  let inCell = false
  let inPhonetic = false
  let textTag: 'v' | 't' | null = null
  return {
    open(name, attrs) {
      if (name === 'row') {
        row = attrs.r !== undefined ? positiveInteger(attrs.r, grid, 'row number') : row + 1
        column = 0
      } else if (name === 'c') {
        column = attrs.r !== undefined ? columnOf(attrs.r, grid) : column + 1
        type = attrs.t ?? 'n'
        value = null
        inCell = true
      } else if (name === 'rPh') inPhonetic = true
      else if (inCell && !inPhonetic && (name === 'v' || name === 't')) textTag = name
    },
    wantsText: () => textTag !== null,
    text(text) {
      value = (value ?? '') + text
    },
    close(name) {
      textTag = null
      if (name === 'rPh') inPhonetic = false
      else if (name === 'c') {
        inCell = false
        if (row === 0) row = 1
        grid.set(row, column, cellOf(type, value, shared, grid))
      }
    },
  }
}

function cellOf(type: string, value: string | null, shared: readonly string[], grid: GridBuilder): string | number | null {
  if (value === null) return null
  switch (type) {
    case 's': {
      const text = shared[Number(value)]
      if (text === undefined) throw grid.damaged(`a cell names shared string ${value.slice(0, 20)}, which does not exist`)
      return text
    }
    case 'b':
      return value.trim() === '1' ? 'TRUE' : 'FALSE'
    case 'e':
      return null
    case 'str':
    case 'inlineStr':
    case 'd':
      return value
    default: {
      const n = Number(value)
      return value.trim() === '' ? null : Number.isFinite(n) ? n : value
    }
  }
}

function positiveInteger(text: string, grid: GridBuilder, what: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw grid.damaged(`a bad ${what} "${text.slice(0, 20)}"`)
  return n
}

/** `B12` → 2 (letters are the column). */
function columnOf(ref: string, grid: GridBuilder): number {
  const letters = /^([A-Za-z]{1,3})\d*$/.exec(ref)?.[1]
  if (!letters) throw grid.damaged(`a bad cell reference "${ref.slice(0, 20)}"`)
  let n = 0
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64)
  return n
}
