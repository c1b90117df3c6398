import { z } from 'zod'
import catalogueJson from '../../../resources/facs/au-catalogue.json'

/**
 * FACS action units: the catalogue (as data, `resources/facs/au-catalogue.json`) and the
 * AU strings used by CASME II, SAMM and CAS(ME)³ coding sheets (`1+2+R12`, `L4`, `R14A`,
 * `T17`, `12 or 14`).
 */

export const AU_KINDS = ['action-unit', 'action-descriptor', 'head-position', 'eye-position', 'visibility', 'gross-behaviour'] as const
export const AU_REGIONS = ['face', 'brows', 'eyes', 'nose', 'cheeks', 'lips', 'chin', 'jaw', 'tongue', 'neck', 'head', 'gaze', 'body'] as const

export const AuCatalogueEntrySchema = z.object({
  au: z.number().int().min(0).max(99),
  name: z.string().min(1),
  /** Muscles that produce the action; null for descriptors, positions and visibility codes. */
  muscularBasis: z.string().nullable(),
  region: z.enum(AU_REGIONS),
  /** FACS' upper/lower face split; null for head, gaze, visibility and body codes. */
  face: z.enum(['upper', 'lower']).nullable(),
  kind: z.enum(AU_KINDS),
  note: z.string().optional(),
})
export type AuCatalogueEntry = z.infer<typeof AuCatalogueEntrySchema>

export const AuCatalogueSchema = z.object({
  version: z.number().int(),
  codes: z.array(AuCatalogueEntrySchema).refine((codes) => new Set(codes.map((c) => c.au)).size === codes.length, 'duplicate AU numbers'),
})
export type AuCatalogue = z.infer<typeof AuCatalogueSchema>

export function parseAuCatalogue(json: unknown): AuCatalogue {
  return AuCatalogueSchema.parse(json)
}

let bundled: { catalogue: AuCatalogue; byNumber: Map<number, AuCatalogueEntry> } | undefined

/**
 * The bundled catalogue, validated on first use: a module importing this one for the AU strings
 * (the project, exports, the batch CLI) does not pay for parsing it (≈10 ms at start-up).
 */
function bundledCatalogue(): NonNullable<typeof bundled> {
  if (!bundled) {
    const catalogue = parseAuCatalogue(catalogueJson)
    bundled = { catalogue, byNumber: new Map(catalogue.codes.map((c) => [c.au, c])) }
  }
  return bundled
}

export function auCatalogue(): AuCatalogue {
  return bundledCatalogue().catalogue
}

export function auInfo(au: number): AuCatalogueEntry | undefined {
  return bundledCatalogue().byNumber.get(au)
}

/** Case-insensitive search over number (`12`, `AU12`), name and muscular basis, catalogue order. */
export function searchAus(query: string, catalogue: AuCatalogue = auCatalogue()): AuCatalogueEntry[] {
  const q = query.trim().toLowerCase().replace(/^au\s*/, '')
  if (q === '') return catalogue.codes
  return catalogue.codes.filter(
    (c) => String(c.au) === q || c.name.toLowerCase().includes(q) || (c.muscularBasis ?? '').toLowerCase().includes(q),
  )
}

// ---------------------------------------------------------------------------------------------
// AU strings

/** L/R: left/right side of the face (subject's side); T/B: top/bottom (upper/lower lip) as CAS(ME)³ codes them; null: bilateral. */
export const AU_SIDES = ['L', 'R', 'T', 'B'] as const
export type AuSide = (typeof AU_SIDES)[number]
/** FACS intensity: A trace, B slight, C marked, D severe, E maximum. */
export const AU_INTENSITIES = ['A', 'B', 'C', 'D', 'E'] as const
export type AuIntensity = (typeof AU_INTENSITIES)[number]

export const AuCodeSchema = z.object({
  au: z.number().int().min(0).max(99),
  side: z.enum(AU_SIDES).nullable(),
  intensity: z.enum(AU_INTENSITIES).nullable(),
})
export type AuCode = z.infer<typeof AuCodeSchema>

/**
 * A coded AU cell. `alternatives` has one entry for a definite coding and several when the
 * coder wrote "or" (SAMM does: `R14 or R24`); the first alternative is the one used for
 * agreement and filters, the others are kept so the cell formats back unchanged.
 */
export const AuSetSchema = z.object({ alternatives: z.array(z.array(AuCodeSchema)).min(1) })
export type AuSet = z.infer<typeof AuSetSchema>

export interface AuParseResult {
  value: AuSet
  /** Tokens that are not AU codes (kept out of `value`), AU numbers not in the catalogue, "or" present. */
  problems: string[]
  ambiguous: boolean
}

const TOKEN = /^(?:AU\s*)?([LRTB])?\s*(?:AU\s*)?(\d{1,2})\s*\(?([A-E])?\)?$/

/** The definite reading of a set (its first alternative). */
export function primaryAus(set: AuSet): AuCode[] {
  return set.alternatives[0] ?? []
}

/**
 * Parses a coding-sheet AU cell. Lenient on input (case, spaces, `AU` prefixes, `,` as `+`,
 * `/` or `-` for none), canonical on output: `formatAus(parseAus(s).value) === s` for every
 * canonical string.
 */
export function parseAus(text: string | number | null | undefined): AuParseResult {
  const problems: string[] = []
  const raw = String(text ?? '').trim()
  if (raw === '' || raw === '/' || raw === '-' || raw === '—') return { value: { alternatives: [[]] }, problems, ambiguous: false }
  const alternatives: AuCode[][] = []
  for (const part of raw.split(/\s+or\s+/i)) {
    const codes: AuCode[] = []
    for (const token of part.split(/\s*[+,]\s*/)) {
      const t = token.trim().toUpperCase()
      if (t === '') continue
      const m = TOKEN.exec(t)
      if (!m) {
        problems.push(`not an AU code: "${token.trim()}"`)
        continue
      }
      const au = Number(m[2])
      if (!auInfo(au)) problems.push(`AU ${au} is not in the FACS catalogue`)
      codes.push({ au, side: (m[1] as AuSide | undefined) ?? null, intensity: (m[3] as AuIntensity | undefined) ?? null })
    }
    alternatives.push(codes)
  }
  const ambiguous = alternatives.length > 1
  if (ambiguous) problems.push(`${alternatives.length} alternatives ("or"): the first is used`)
  return { value: { alternatives }, problems, ambiguous }
}

export function formatAuCode(code: AuCode): string {
  return `${code.side ?? ''}${code.au}${code.intensity ?? ''}`
}

export function formatAus(set: AuSet): string {
  return set.alternatives.map((codes) => codes.map(formatAuCode).join('+')).join(' or ')
}

/** How two AU codes are compared: by number only, or also by side and/or intensity. */
export interface AuMatchOptions {
  laterality: boolean
  intensity: boolean
}

export function auKey(code: AuCode, options: AuMatchOptions): string {
  return `${options.laterality ? (code.side ?? '') : ''}${code.au}${options.intensity ? (code.intensity ?? '') : ''}`
}
