import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/** The colour tokens of the renderer, read from its stylesheet as the app uses them. */
const css = readFileSync(resolve(import.meta.dirname, '../../../src/renderer/src/styles/base.css'), 'utf8')
const tokens = Object.fromEntries([...css.matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!]))

function token(name: string): string {
  const value = name === 'white' ? '#ffffff' : tokens[name]
  if (!value) throw new Error(`--${name} is not a #rrggbb token in base.css`)
  return value
}

/** WCAG 2.x relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi! + 0.05) / (lo! + 0.05)
}

describe('colour contrast of the renderer tokens (WCAG 2.2 AA, 4.5:1 for text)', () => {
  it('computes WCAG contrast as the spec does', () => {
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21, 5)
    expect(contrast('#ffffff', '#2f7de0')).toBeCloseTo(4.09, 2) // the old primary blue (#27 item 8)
  })

  // [text, background, where]
  const pairs: [string, string, string][] = [
    ['white', 'accent-strong', 'primary buttons (Run, Compute flow, Magnify, batch start, Save card)'],
    ['text', 'heat', 'confusion-matrix cells at their strongest (the diagonal)'],
    ['text', 'bg', 'body text'],
    ['text', 'bg-raised', 'panels'],
    ...(['bg', 'bg-raised', 'bg-sunken'] as const).flatMap((bg): [string, string, string][] => [
      ['text-dim', bg, 'secondary text'],
      ['accent', bg, 'links and adjudicated status'],
      ['ok', bg, 'success messages'],
      ['warn', bg, 'warnings'],
      ['danger', bg, 'errors'],
    ]),
  ]
  it.each(pairs)('--%s on --%s (%s) reaches 4.5:1', (text, background) => {
    expect(contrast(token(text), token(background))).toBeGreaterThanOrEqual(4.5)
  })
})
