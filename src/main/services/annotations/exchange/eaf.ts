import { formatAus, parseAus } from '@shared/domain/au'
import { ANNOTATION_STATUSES, ANNOTATOR_ROLES, type AnnotationStatus, type AnnotatorRole } from '@shared/domain/annotation'
import { EMOTIONS } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc/errors'
import { SHEET_LIMITS, formatCount, sheetError, type SheetLimits } from '../../formats/limits'
import { XmlStreamReader } from '../../formats/xml'
import type { CodingRow } from './rows'

/**
 * Codes of one sample as an ELAN annotation document (EAF 3.0, milliseconds from the clip's
 * first frame, which is what ELAN shows when the clip is its media file).
 *
 * Per coder (so that ELAN's search and statistics work per tier):
 *   "<coder>"          one annotation onset → offset, value `frames: 241–291, apex 261 | class: … | status: …`
 *   "<coder> AU"       child tier (Symbolic_Association), the AUs `1+2+R12`
 *   "<coder> emotion"  child tier (Symbolic_Association) with the controlled vocabulary `me-emotion`
 *   "<coder> apex"     the apex as a one-frame annotation (ELAN has no zero-length annotations)
 * An adjudicated coding goes to "<coder> (adjudicated)". Each tier's ANNOTATOR attribute is the
 * coder. Header PROPERTY elements (which ELAN keeps) identify the sample and the frame timing,
 * so a file saved back from ELAN imports losslessly; an interval covers its offset frame, i.e.
 * ends one frame after the offset frame starts. The frame numbers are also written in the
 * interval's value for the reader (ms at 30 fps are not frame-exact to the eye); import derives
 * them from the times, which are exact. Files of the earlier shape (AUs and emotion in the
 * interval's value: `AU: 1+2 | emotion: surprise | …`) import too. Codings without onset and
 * offset cannot be placed on ELAN's timeline and are skipped (reported by the caller).
 */

const PROP = 'me-studio:'
const LT_INTERVAL = 'me-interval'
const LT_APEX = 'me-apex'
const LT_AU = 'me-au'
const LT_EMOTION = 'me-emotion'
const CV_EMOTION = 'me-emotion'
const NOTES_MARKER = ' | notes: '
const ADJUDICATED_SUFFIX = ' (adjudicated)'
const APEX_SUFFIX = ' apex'
const AU_SUFFIX = ' AU'
const EMOTION_SUFFIX = ' emotion'

export interface EafSample {
  dataset: string
  subject: string
  sample: string
  fps: number
  firstFrame: number
  /** The clip's media file for ELAN (videos only; image sequences have none). */
  mediaPath?: string | undefined
}

/** Whether a row can be placed on ELAN's timeline. */
export function eafPlaceable(row: CodingRow): boolean {
  return row.fields.onset !== null && row.fields.offset !== null
}

export function codesToEaf(sample: EafSample, rows: readonly CodingRow[], date = new Date()): string {
  const frameMs = (frame: number) => Math.round(((frame - sample.firstFrame) * 1000) / sample.fps)
  // Every boundary gets its own slot (so no two tiers are glued together when edited in ELAN);
  // slots are numbered in time order, as ELAN's own files list them.
  const slots: number[] = []
  const slot = (ms: number) => slots.push(ms) - 1
  const tiers: EafTier[] = []
  let annotationId = 0
  const placed = rows.filter(eafPlaceable)
  // The vocabulary: every emotion word ME Studio knows, then any other word these codings use.
  const emotions = [...new Set([...EMOTIONS, ...placed.flatMap((r) => (r.fields.emotion === null ? [] : [r.fields.emotion]))])]
  for (const row of placed) {
    const f = row.fields
    const tier = `${row.coder}${row.adjudicated ? ADJUDICATED_SUFFIX : ''}`
    const parent = ++annotationId
    tiers.push({ id: tier, type: LT_INTERVAL, row, annotationId: parent, from: slot(frameMs(f.onset!)), to: slot(frameMs(f.offset! + 1)), value: intervalValue(row) })
    tiers.push({ id: `${tier}${AU_SUFFIX}`, type: LT_AU, row, annotationId: ++annotationId, parent: { tier, annotationId: parent }, value: formatAus(f.aus) })
    if (f.emotion !== null) {
      tiers.push({ id: `${tier}${EMOTION_SUFFIX}`, type: LT_EMOTION, row, annotationId: ++annotationId, parent: { tier, annotationId: parent }, value: f.emotion, cveRef: `cve${emotions.indexOf(f.emotion) + 1}` })
    }
    if (f.apex !== null) {
      tiers.push({ id: `${tier}${APEX_SUFFIX}`, type: LT_APEX, row, annotationId: ++annotationId, from: slot(frameMs(f.apex)), to: slot(frameMs(f.apex + 1)), value: 'apex' })
    }
  }
  const order = slots.map((ms, i) => ({ ms, i })).sort((a, b) => a.ms - b.ms || a.i - b.i)
  const slotId = new Map(order.map(({ i }, rank) => [i, `ts${rank + 1}`]))
  const properties: [string, string][] = [
    ['dataset', sample.dataset],
    ['subject', sample.subject],
    ['sample', sample.sample],
    ['fps', String(sample.fps)],
    ['first-frame', String(sample.firstFrame)],
    ...[...new Map(rows.map((r) => [r.coder, r.role]))].map(([coder, role]): [string, string] => [`role:${coder}`, role]),
    ['lastUsedAnnotationId', String(annotationId)],
  ]
  const media = sample.mediaPath
    ? `\n    <MEDIA_DESCRIPTOR MEDIA_URL="${esc(fileUrl(sample.mediaPath))}" MIME_TYPE="${mimeType(sample.mediaPath)}"/>`
    : ''
  return `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="ME Studio" DATE="${date.toISOString()}" FORMAT="3.0" VERSION="3.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">${media}
${properties.map(([k, v]) => `    <PROPERTY NAME="${esc(k === 'lastUsedAnnotationId' ? k : PROP + k)}">${esc(v)}</PROPERTY>`).join('\n')}
  </HEADER>
  <TIME_ORDER>
${order.map(({ ms }, rank) => `    <TIME_SLOT TIME_SLOT_ID="ts${rank + 1}" TIME_VALUE="${ms}"/>`).join('\n')}
  </TIME_ORDER>
${tiers.map((t) => tierXml(t, slotId)).join('\n')}
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${LT_INTERVAL}" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false"/>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${LT_APEX}" TIME_ALIGNABLE="true" GRAPHIC_REFERENCES="false"/>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${LT_AU}" TIME_ALIGNABLE="false" CONSTRAINTS="Symbolic_Association" GRAPHIC_REFERENCES="false"/>
  <LINGUISTIC_TYPE LINGUISTIC_TYPE_ID="${LT_EMOTION}" TIME_ALIGNABLE="false" CONSTRAINTS="Symbolic_Association" CONTROLLED_VOCABULARY_REF="${CV_EMOTION}" GRAPHIC_REFERENCES="false"/>
  <LANGUAGE LANG_ID="und" LANG_DEF="http://cdb.iso.org/lg/CDB-00130975-001" LANG_LABEL="undetermined (und)"/>
  <CONSTRAINT STEREOTYPE="Time_Subdivision" DESCRIPTION="Time subdivision of parent annotation's time interval, no time gaps allowed within this interval"/>
  <CONSTRAINT STEREOTYPE="Symbolic_Subdivision" DESCRIPTION="Symbolic subdivision of a parent annotation. Annotations refering to the same parent are ordered"/>
  <CONSTRAINT STEREOTYPE="Symbolic_Association" DESCRIPTION="1-1 association with a parent annotation"/>
  <CONSTRAINT STEREOTYPE="Included_In" DESCRIPTION="Time alignable annotations within the parent annotation's time interval, gaps are allowed"/>
  <CONTROLLED_VOCABULARY CV_ID="${CV_EMOTION}">
    <DESCRIPTION LANG_REF="und">Emotion of a micro-expression (ME Studio)</DESCRIPTION>
${emotions.map((e, i) => `    <CV_ENTRY_ML CVE_ID="cve${i + 1}"><CVE_VALUE LANG_REF="und">${esc(e)}</CVE_VALUE></CV_ENTRY_ML>`).join('\n')}
  </CONTROLLED_VOCABULARY>
</ANNOTATION_DOCUMENT>
`
}

/** A time-aligned tier (slot indices `from`/`to`) or a child tier whose one annotation refers to its parent's. */
type EafTier = {
  id: string
  type: string
  row: CodingRow
  annotationId: number
  value: string
  cveRef?: string
} & ({ from: number; to: number; parent?: undefined } | { parent: { tier: string; annotationId: number } })

function tierXml(t: EafTier, slotId: ReadonlyMap<number, string>): string {
  const cve = t.cveRef ? ` CVE_REF="${t.cveRef}"` : ''
  const annotation = t.parent
    ? `<REF_ANNOTATION ANNOTATION_ID="a${t.annotationId}" ANNOTATION_REF="a${t.parent.annotationId}"${cve}>`
    : `<ALIGNABLE_ANNOTATION ANNOTATION_ID="a${t.annotationId}" TIME_SLOT_REF1="${slotId.get(t.from)!}" TIME_SLOT_REF2="${slotId.get(t.to)!}"${cve}>`
  const parentRef = t.parent ? ` PARENT_REF="${esc(t.parent.tier)}"` : ''
  return `  <TIER TIER_ID="${esc(t.id)}" LINGUISTIC_TYPE_REF="${t.type}"${parentRef} ANNOTATOR="${esc(t.row.coder)}" PARTICIPANT="${esc(t.row.subject)}">
    <ANNOTATION>
      ${annotation}
        <ANNOTATION_VALUE>${esc(t.value)}</ANNOTATION_VALUE>
      </${t.parent ? 'REF_ANNOTATION' : 'ALIGNABLE_ANNOTATION'}>
    </ANNOTATION>
  </TIER>`
}

/** `frames: 12–41, apex 20 | class: III | confidence: 0.8 | status: done | notes: …` (notes last, verbatim). */
function intervalValue(row: CodingRow): string {
  const f = row.fields
  const parts = [`frames: ${f.onset}–${f.offset}${f.apex === null ? '' : `, apex ${f.apex}`}`]
  if (f.objectiveClass !== null) parts.push(`class: ${f.objectiveClass}`)
  if (f.confidence !== null) parts.push(`confidence: ${f.confidence}`)
  parts.push(`status: ${f.status}`)
  if (f.notes !== '') parts.push(`notes: ${f.notes}`)
  return parts.join(' | ')
}

function parseIntervalValue(value: string, ignore: (what: string) => void): Pick<CodingRow['fields'], 'aus' | 'emotion' | 'objectiveClass' | 'confidence' | 'status' | 'notes'> {
  const out = { aus: parseAus('').value, emotion: null as string | null, objectiveClass: null as string | null, confidence: null as number | null, status: 'draft' as AnnotationStatus, notes: '' }
  const notesAt = value.indexOf(NOTES_MARKER)
  const head = notesAt >= 0 ? value.slice(0, notesAt) : value
  if (notesAt >= 0) out.notes = value.slice(notesAt + NOTES_MARKER.length)
  for (const part of head.split(' | ')) {
    const colon = part.indexOf(': ')
    const key = (colon >= 0 ? part.slice(0, colon) : part.replace(/:$/, '')).trim().toLowerCase()
    const text = colon >= 0 ? part.slice(colon + 2) : ''
    if (key === 'au') out.aus = parseAus(text).value
    else if (key === 'emotion') out.emotion = text === '' ? null : text
    else if (key === 'class') out.objectiveClass = text === '' ? null : text
    else if (key === 'confidence') out.confidence = text === '' ? null : Number(text)
    else if (key === 'status') {
      if (ANNOTATION_STATUSES.includes(text as AnnotationStatus)) out.status = text as AnnotationStatus
      else ignore(`status "${text}" is none of ${ANNOTATION_STATUSES.join(', ')} (read as draft)`)
    } else if (key !== 'frames' && part.trim() !== '') ignore(`"${part.trim()}" is not a part ME Studio writes`)
  }
  return out
}

/** The AU and emotion tiers (current shape) take precedence over the interval's value (earlier shape). */
function withChildTiers<T extends { aus: CodingRow['fields']['aus']; emotion: string | null }>(fields: T, aus: string | undefined, emotion: string | undefined): T {
  return {
    ...fields,
    ...(aus === undefined ? {} : { aus: parseAus(aus).value }),
    ...(emotion === undefined ? {} : { emotion: emotion.trim() === '' ? null : emotion }),
  }
}

/** The ELAN document as read: header properties, time slots and each tier's first alignable annotation. */
interface EafParts {
  root: string | null
  props: Map<string, string>
  slots: Map<string, number>
  tiers: { id: string; type: string; parent: string | undefined; annotator: string | undefined; ref1: string | undefined; ref2: string | undefined; value: string }[]
  /** What the document holds that import did not take, said for the user (one coding per tier, known tiers and value parts). */
  ignored: string[]
}

/** Codes of one ELAN document, and what in it was not understood (so nothing is dropped silently). */
export interface EafCodes {
  sample: EafSample
  rows: CodingRow[]
  ignored: string[]
}

/**
 * An ELAN document read as a stream of XML events (see `XmlStreamReader`): only what import needs
 * is kept, and tiers and time slots are counted against the limits as they arrive.
 */
export class EafReader {
  private readonly parts: EafParts = { root: null, props: new Map(), slots: new Map(), tiers: [], ignored: [] }
  /** Annotations of the tier being read. */
  private annotations = 0
  private readonly xml: XmlStreamReader
  private readonly path: string[] = []
  private property: string | null = null
  private tier: EafParts['tiers'][number] | null = null
  /** The tier's first (alignable or reference) annotation: not yet seen, being read, read. */
  private annotation: 'none' | 'reading' | 'done' = 'none'

  constructor(
    private readonly limits: SheetLimits = SHEET_LIMITS,
    private readonly what = 'the ELAN file',
  ) {
    const parts = this.parts
    const stack = this.path
    this.xml = new XmlStreamReader(
      {
        open: (name, attrs) => {
          const parent = stack[stack.length - 1]
          stack.push(name)
          if (stack.length === 1) parts.root = name
          else if (stack.length === 3 && parent === 'HEADER' && name === 'PROPERTY') this.property = attrs.NAME ?? ''
          else if (stack.length === 3 && parent === 'TIME_ORDER' && name === 'TIME_SLOT') {
            if (parts.slots.size >= limits.maxCells) throw sheetError('sheet/too-large', `${what} has more than ${formatCount(limits.maxCells)} time slots (the limit)`)
            parts.slots.set(attrs.TIME_SLOT_ID ?? '', Number(attrs.TIME_VALUE))
          } else if (stack.length === 2 && name === 'TIER') {
            if (parts.tiers.length >= limits.maxRows) throw sheetError('sheet/too-many-rows', `${what} has more than ${formatCount(limits.maxRows)} tiers (the limit)`)
            this.tier = { id: attrs.TIER_ID ?? '', type: attrs.LINGUISTIC_TYPE_REF ?? '', parent: attrs.PARENT_REF, annotator: attrs.ANNOTATOR, ref1: undefined, ref2: undefined, value: '' }
          } else if (this.tier && (name === 'ALIGNABLE_ANNOTATION' || name === 'REF_ANNOTATION') && parent === 'ANNOTATION' && stack.length === 4) {
            if (this.annotations++ > 0) return
            this.annotation = 'reading'
            this.tier.ref1 = attrs.TIME_SLOT_REF1
            this.tier.ref2 = attrs.TIME_SLOT_REF2
          }
        },
        wantsText: () =>
          (this.property !== null && stack.length === 3) || (this.annotation === 'reading' && stack.length === 5 && stack[4] === 'ANNOTATION_VALUE'),
        text: (text) => {
          if (this.property !== null && stack.length === 3) parts.props.set(this.property, text)
          else if (this.tier && this.annotation === 'reading') this.tier.value = text
        },
        close: () => {
          stack.pop()
          if (stack.length === 2) this.property = null
          if (stack.length === 3 && this.annotation === 'reading') this.annotation = 'done'
          if (stack.length === 1 && this.tier) {
            if (this.annotation === 'done') parts.tiers.push(this.tier)
            if (this.annotations > 1) parts.ignored.push(`tier "${this.tier.id}": ${this.annotations - 1} annotation(s) after the first (ME Studio reads one coding per tier)`)
            this.annotations = 0
            this.tier = null
            this.annotation = 'none'
          }
        },
      },
      limits,
      what,
    )
  }

  write(chunk: string): void {
    this.xml.write(chunk)
  }

  end(): EafCodes {
    this.xml.end()
    return codesFromEafParts(this.parts)
  }
}

/** Codes from an ELAN document in memory (read with the same limits as a file). */
export function codesFromEaf(xml: string, limits: SheetLimits = SHEET_LIMITS): EafCodes {
  const reader = new EafReader(limits)
  reader.write(xml)
  return reader.end()
}

function codesFromEafParts({ root, props, slots, tiers, ignored }: EafParts): EafCodes {
  if (root !== 'ANNOTATION_DOCUMENT') throw new StudioError('labels/malformed', 'Not an ELAN file (no ANNOTATION_DOCUMENT)')
  const prop = (k: string) => props.get(PROP + k)
  const fps = Number(prop('fps'))
  const firstFrame = Number(prop('first-frame'))
  if (!prop('sample') || !(fps > 0) || !Number.isInteger(firstFrame)) {
    throw new StudioError('labels/malformed', 'This ELAN file was not written by ME Studio (its me-studio: header properties are missing)')
  }
  const sample: EafSample = { dataset: prop('dataset') ?? '', subject: prop('subject') ?? '', sample: prop('sample')!, fps, firstFrame }
  const toFrame = (slotId: string | undefined) => {
    const ms = slots.get(slotId ?? '')
    if (ms === undefined || Number.isNaN(ms)) throw new StudioError('labels/malformed', `ELAN time slot ${slotId ?? '?'} has no time`)
    return firstFrame + Math.round((ms * fps) / 1000)
  }
  const intervals = new Map<string, { start: number; end: number; value: string; coder: string }>()
  const apexes = new Map<string, number>()
  // The current shape's child tiers, by their parent (interval) tier.
  const aus = new Map<string, string>()
  const emotions = new Map<string, string>()
  for (const tier of tiers) {
    if (tier.parent !== undefined) {
      if (tier.type === LT_AU || tier.id === tier.parent + AU_SUFFIX) aus.set(tier.parent, tier.value)
      else if (tier.type === LT_EMOTION || tier.id === tier.parent + EMOTION_SUFFIX) emotions.set(tier.parent, tier.value)
      else ignored.push(`tier "${tier.id}" (under "${tier.parent}"): neither an AU nor an emotion tier`)
      continue
    }
    const start = toFrame(tier.ref1)
    const end = toFrame(tier.ref2)
    if (tier.id.endsWith(APEX_SUFFIX)) apexes.set(tier.id.slice(0, -APEX_SUFFIX.length), start)
    else intervals.set(tier.id, { start, end, value: tier.value, coder: tier.annotator ?? tier.id })
  }
  const roleOf = (coder: string): AnnotatorRole => {
    const role = prop(`role:${coder}`) as AnnotatorRole | undefined
    return role !== undefined && ANNOTATOR_ROLES.includes(role) ? role : 'coder'
  }
  const rows: CodingRow[] = [...intervals].map(([tierId, iv]) => ({
    dataset: sample.dataset,
    subject: sample.subject,
    sample: sample.sample,
    coder: iv.coder,
    role: roleOf(iv.coder),
    adjudicated: tierId.endsWith(ADJUDICATED_SUFFIX),
    fps,
    firstFrame,
    fields: {
      onset: iv.start,
      apex: apexes.get(tierId) ?? null,
      offset: iv.end - 1,
      ...withChildTiers(
        parseIntervalValue(iv.value, (what) => ignored.push(`tier "${tierId}": ${what}`)),
        aus.get(tierId),
        emotions.get(tierId),
      ),
    },
  }))
  return { sample, rows, ignored }
}

function fileUrl(path: string): string {
  return 'file://' + encodeURI(path.replace(/\\/g, '/').replace(/^(?=[A-Za-z]:)/, '/'))
}

function mimeType(path: string): string {
  const ext = path.toLowerCase().split('.').pop()
  const types: Record<string, string> = { mp4: 'video/mp4', mov: 'video/quicktime', mpg: 'video/mpeg', mpeg: 'video/mpeg', avi: 'video/x-msvideo', mkv: 'video/x-matroska' }
  return types[ext ?? ''] ?? 'unknown'
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}
