import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from '@playwright/test'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** Critical and serious axe-core violations (WCAG 2.0–2.2 A/AA rules) on the page, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the debugger protocol, so the app's CSP (no inline scripts) is kept as it is.
  await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async () => {
    // Runs in the page (the spec itself is type-checked without the DOM library).
    const page = globalThis as unknown as { axe: { run: (context: unknown, options: object) => Promise<{ violations: AxeViolation[] }> }; document: unknown }
    const result = await page.axe.run(page.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] })
    return result.violations
  })
  return violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`)
}
