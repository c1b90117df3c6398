import { formatCount, sheetError, type SheetLimits } from './limits'

/**
 * A streaming XML reader for the two kinds of XML ME Studio reads from outside: the parts of an
 * xlsx (SpreadsheetML) and ELAN's .eaf. Text arrives in chunks of any size and leaves as events;
 * nothing but the element stack and the text the handler asks for is kept, so memory does not grow
 * with the file. It refuses what these formats never contain:
 * - a DOCTYPE (no DTD is read, so no entity is ever defined: no XXE, no billion laughs);
 * - entities other than the five predefined ones and character references;
 * - elements nested deeper than `maxXmlDepth`, text kept for the handler longer than
 *   `maxCellChars`, and one tag longer than `MAX_MARKUP_CHARS`.
 * Element names reach the handler without their namespace prefix (`x:row` → `row`).
 */
export interface XmlHandler {
  open(name: string, attrs: Record<string, string>): void
  close(name: string): void
  /** The text of the element just closed, when `wantsText()` was true while it was read (decoded; CDATA included). */
  text?(text: string): void
  /** Whether the text now starting is wanted (checked per text run); other text is skipped unread. */
  wantsText?(): boolean
}

/** A start tag with its attributes: real ones are a few hundred characters. */
const MAX_MARKUP_CHARS = 64 * 1024

type Mode = 'text' | 'skip-comment' | 'skip-pi' | 'cdata'

export class XmlStreamReader {
  private buffer = ''
  private mode: Mode = 'text'
  private readonly stack: string[] = []
  private seenRoot = false
  private keep = false
  /** Decoded text so far of the current run, and its raw tail not yet decoded (entities may span chunks). */
  private text = ''
  private raw = ''

  constructor(
    private readonly handler: XmlHandler,
    private readonly limits: Pick<SheetLimits, 'maxCellChars' | 'maxXmlDepth'>,
    /** Says which file the errors are about. */
    private readonly what: string,
  ) {}

  write(chunk: string): void {
    this.buffer += this.buffer === '' && !this.seenRoot && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk
    let at = 0
    const buf = this.buffer
    for (;;) {
      if (this.mode === 'skip-comment' || this.mode === 'skip-pi' || this.mode === 'cdata') {
        const end = this.mode === 'skip-comment' ? '-->' : this.mode === 'skip-pi' ? '?>' : ']]>'
        const found = buf.indexOf(end, at)
        const stop = found === -1 ? Math.max(at, buf.length - (end.length - 1)) : found
        if (this.mode === 'cdata' && this.keep) this.addText(buf.slice(at, stop), false)
        if (found === -1) {
          at = stop
          break
        }
        at = found + end.length
        this.mode = 'text'
        continue
      }
      const lt = buf.indexOf('<', at)
      if (lt === -1) {
        if (this.keep) this.addText(buf.slice(at), true)
        else if (/\S/.test(buf.slice(at)) && this.stack.length === 0) throw this.malformed('text outside the document element')
        at = buf.length
        break
      }
      if (lt > at) {
        if (this.keep) this.addText(buf.slice(at, lt), true)
        else if (this.stack.length === 0 && /\S/.test(buf.slice(at, lt))) throw this.malformed('text outside the document element')
        at = lt
      }
      // At '<': wait until enough is here to tell what it opens (`<![CDATA[` and `<!DOCTYPE` are 9 characters).
      if (buf.length - at < 2 || (buf[at + 1] === '!' && buf.length - at < 9 && !buf.startsWith('<!--', at))) break
      if (buf.startsWith('<!--', at)) {
        this.mode = 'skip-comment'
        at += 4
      } else if (buf.startsWith('<![CDATA[', at)) {
        this.mode = 'cdata'
        at += 9
      } else if (buf.startsWith('<?', at)) {
        this.mode = 'skip-pi'
        at += 2
      } else if (buf.startsWith('<!', at)) {
        throw this.malformed(/^<!DOCTYPE/i.test(buf.slice(at, at + 9)) ? 'a DOCTYPE (DTDs and entity definitions are refused)' : 'an unknown <! declaration')
      } else {
        const end = tagEnd(buf, at)
        if ((end === -1 ? buf.length : end) - at > MAX_MARKUP_CHARS) throw this.malformed(`a tag longer than ${formatCount(MAX_MARKUP_CHARS)} characters`)
        if (end === -1) break
        this.tag(buf.slice(at + 1, end))
        at = end + 1
      }
    }
    this.buffer = buf.slice(at)
  }

  /** The input is complete: anything left open is an error. */
  end(): void {
    if (this.mode !== 'text' || this.buffer.trim() !== '') throw this.malformed('the file ends inside markup')
    if (!this.seenRoot) throw this.malformed('no document element')
    if (this.stack.length > 0) throw this.malformed(`<${this.stack[this.stack.length - 1]!}> is not closed`)
  }

  private tag(body: string): void {
    if (body.startsWith('/')) {
      const name = body.slice(1).trim()
      const open = this.stack.pop()
      if (open !== name) throw this.malformed(`</${name}> closes ${open === undefined ? 'nothing' : `<${open}>`}`)
      this.flushText()
      this.handler.close(localName(name))
      this.keep = this.handler.wantsText?.() ?? false
      return
    }
    const selfClosing = body.endsWith('/')
    const inner = selfClosing ? body.slice(0, -1) : body
    const nameEnd = inner.search(/[\s]|$/)
    const name = inner.slice(0, nameEnd)
    if (!/^[A-Za-z_][\w.:-]*$/.test(name)) throw this.malformed(`a bad element name "<${name.slice(0, 40)}"`)
    if (this.stack.length === 0 && this.seenRoot) throw this.malformed('a second document element')
    this.seenRoot = true
    const attrs: Record<string, string> = Object.create(null) as Record<string, string>
    const rest = inner.slice(nameEnd)
    const attr = /\s*([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y
    let at = 0
    for (;;) {
      attr.lastIndex = at
      const m = attr.exec(rest)
      if (!m) break
      attrs[m[1]!] = this.decode(m[2] ?? m[3] ?? '')
      at = attr.lastIndex
    }
    if (rest.slice(at).trim() !== '') throw this.malformed(`bad attributes in <${name}>`)
    this.text = ''
    this.raw = ''
    this.handler.open(localName(name), attrs)
    if (selfClosing) {
      this.handler.close(localName(name))
    } else {
      this.stack.push(name)
      if (this.stack.length > this.limits.maxXmlDepth) throw this.malformed(`elements nested deeper than ${this.limits.maxXmlDepth} (the limit)`)
    }
    this.keep = this.handler.wantsText?.() ?? false
  }

  /** Adds text to the current run; `escaped` text has its entities decoded as soon as they are complete. */
  private addText(chunk: string, escaped: boolean): void {
    if (escaped) {
      this.raw += chunk
      const amp = this.raw.lastIndexOf('&')
      const complete = amp === -1 || this.raw.indexOf(';', amp) !== -1 ? this.raw.length : amp
      this.text += this.decode(this.raw.slice(0, complete))
      this.raw = this.raw.slice(complete)
      // An entity is at most `&#x10FFFF;`: a longer unfinished one is not an entity.
      if (this.raw.length > 10) throw this.malformed('a bad entity reference')
    } else {
      this.text += this.decode(this.raw) + chunk
      this.raw = ''
    }
    if (this.text.length > this.limits.maxCellChars) {
      throw sheetError('sheet/cell-too-long', `${this.what}: a cell or value is longer than ${formatCount(this.limits.maxCellChars)} characters (the limit; Excel's own is the same)`)
    }
  }

  private flushText(): void {
    if (!this.keep) return
    if (this.raw !== '') throw this.malformed('a bad entity reference')
    this.handler.text?.(this.text)
    this.text = ''
  }

  private decode(text: string): string {
    if (!text.includes('&')) return text
    return text.replace(/&([^;&]*);?/g, (match, ref: string) => {
      if (!match.endsWith(';')) throw this.malformed('a bad entity reference')
      const named = PREDEFINED[ref]
      if (named !== undefined) return named
      const code = /^#x[0-9a-f]{1,6}$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d{1,7}$/.test(ref) ? parseInt(ref.slice(1), 10) : NaN
      if (!(code >= 1 && code <= 0x10ffff)) throw this.malformed(`an undefined entity &${ref.slice(0, 20)}; (only XML's own five are known)`)
      return String.fromCodePoint(code)
    })
  }

  private malformed(what: string): Error {
    return sheetError('sheet/unreadable', `${this.what} is not readable XML: ${what}`)
  }
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Index of the `>` closing the tag that starts at `from` (quotes respected), or -1. */
function tagEnd(buf: string, from: number): number {
  let quote = ''
  for (let i = from + 1; i < buf.length; i++) {
    const ch = buf[i]!
    if (quote) {
      if (ch === quote) quote = ''
    } else if (ch === '"' || ch === "'") quote = ch
    else if (ch === '>') return i
  }
  return -1
}

function localName(name: string): string {
  const colon = name.indexOf(':')
  return colon === -1 ? name : name.slice(colon + 1)
}

/** Reads a whole XML text (already in memory and size-checked) through a handler. */
export function readXmlText(xml: string, handler: XmlHandler, limits: Pick<SheetLimits, 'maxCellChars' | 'maxXmlDepth'>, what: string): void {
  const reader = new XmlStreamReader(handler, limits, what)
  reader.write(xml)
  reader.end()
}
