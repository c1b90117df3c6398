import type { ClassificationReport } from '@shared/metrics/classification'
import { csvHeader, csvRow, num, text } from '../formats/csv'
import type { EvaluationReport, EvaluationUnit } from './evaluate'

/**
 * Renderings of an evaluation: plain text (CLI), a CSV summary table with its companion
 * confusion-matrix CSV, a self-contained HTML report (inline CSS and SVG charts, no external
 * assets) and a PNG image of it (`report-image.ts`). All are deterministic: same predictions,
 * same bytes.
 */

export const f4 = (x: number | null) => (x === null ? '—' : x.toFixed(4))

export function formatEvaluationText(report: EvaluationReport): string {
  const lines: string[] = []
  for (const unit of report.units) {
    const o = unit.overall
    lines.push(`${unit.id}${unit.perFold ? ` (per-fold models: ${unit.models.join(', ')})` : ''}`)
    lines.push(`  n ${o.n}   UF1 ${f4(o.uf1)}   UAR ${f4(o.uar)}   accuracy ${f4(o.accuracy)}`)
    lines.push(`  figure: ${unit.figure}`)
    lines.push(`  classes: ${unit.classMapping}`)
    if (unit.leakage) lines.push(`  ${leakageLine(unit.leakage)}`)
    lines.push(`  left out: ${describeExcluded(unit)}`)
    lines.push('  confusion matrix (rows: coded, columns: predicted)')
    const classes = o.confusion.classes
    const width = Math.max(8, ...classes.map((c) => c.length))
    lines.push(`  ${''.padEnd(width)} ${classes.map((c) => c.padStart(width)).join(' ')}`)
    o.confusion.counts.forEach((row, t) => lines.push(`  ${classes[t]!.padEnd(width)} ${row.map((n) => String(n).padStart(width)).join(' ')}`))
    lines.push(`  per class: ${o.perClass.map((c) => `${c.label} F1 ${f4(c.f1)} recall ${f4(c.recall)} (n ${c.support})`).join('; ')}`)
    for (const d of unit.perDataset) lines.push(`  dataset ${d.dataset}: n ${d.report.n} UF1 ${f4(d.report.uf1)} UAR ${f4(d.report.uar)} accuracy ${f4(d.report.accuracy)}`)
    lines.push('')
  }
  lines.push(`Method: ${report.method}`)
  return lines.join('\n') + '\n'
}

/** "leakage: …" — a warning when samples the model trained on were counted. */
export function leakageLine(leakage: NonNullable<EvaluationUnit['leakage']>): string {
  return `${leakage.seenInTraining > 0 ? 'WARNING leakage' : 'leakage'}: ${leakage.note}`
}

export function describeExcluded(unit: EvaluationUnit): string {
  const e = unit.excluded
  return `${e.uncoded} uncoded, ${e.notInClasses} with a label outside the classes, ${e.failed} failed predictions` +
    (unit.perFold ? `, ${e.seenInTraining} predictions by a fold model that trained on the subject` : '')
}

const EVALUATION_CSV_BASE = ['model', 'scope', 'dataset', 'subject', 'n', 'accuracy', 'uf1', 'uar'] as const

/** One row per (unit, scope): overall, each dataset, each subject; per-class F1 and recall columns. */
export function evaluationCsv(report: EvaluationReport): string {
  const classes: string[] = []
  for (const u of report.units) for (const c of u.classes) if (!classes.includes(c)) classes.push(c)
  let out = csvHeader([...EVALUATION_CSV_BASE, ...classes.map((c) => `f1_${c}`), ...classes.map((c) => `recall_${c}`), ...classes.map((c) => `support_${c}`), 'figure', 'leakage'])
  const row = (unit: EvaluationUnit, scope: string, dataset: string | null, subject: string | null, r: ClassificationReport) => {
    const perClass = (pick: (c: ClassificationReport['perClass'][number]) => number | null, digits?: number) =>
      classes.map((c) => {
        const found = r.perClass.find((p) => p.label === c)
        return found ? num(pick(found), digits) : null
      })
    return csvRow([
      text(unit.id), text(scope), text(dataset), text(subject), num(r.n), num(r.accuracy, 6), num(r.uf1, 6), num(r.uar, 6),
      ...perClass((c) => c.f1, 6), ...perClass((c) => c.recall, 6), ...perClass((c) => c.support),
      // The figure and leakage describe the unit: on its overall row only.
      text(scope === 'overall' ? unit.figure : null), text(scope === 'overall' && unit.leakage ? leakageLine(unit.leakage) : null),
    ])
  }
  for (const unit of report.units) {
    out += row(unit, 'overall', null, null, unit.overall)
    for (const d of unit.perDataset) out += row(unit, 'dataset', d.dataset, null, d.report)
    for (const s of unit.perSubject) out += row(unit, 'subject', s.dataset, s.subject, s.report)
  }
  return out
}

const CONFUSION_CSV_COLUMNS = ['model', 'scope', 'dataset', 'subject', 'coded_class', 'predicted_class', 'count'] as const

/**
 * The confusion matrices in long ("tidy") form, the companion of `evaluationCsv`: one row per cell
 * (coded class × predicted class, zero counts included, in the model's class order) of every
 * matrix — overall, per dataset, per subject — keyed like the summary rows. One rectangular table
 * that R (`xtabs(count ~ coded_class + predicted_class, subset(d, scope == "overall"))`), SPSS
 * (weight by count, crosstabs) and Excel (pivot table) read as is.
 */
export function evaluationConfusionCsv(report: EvaluationReport): string {
  let out = csvHeader(CONFUSION_CSV_COLUMNS)
  const matrix = (unit: EvaluationUnit, scope: string, dataset: string | null, subject: string | null, r: ClassificationReport) => {
    const { classes, counts } = r.confusion
    counts.forEach((row, t) => row.forEach((n, p) => (out += csvRow([text(unit.id), text(scope), text(dataset), text(subject), text(classes[t]), text(classes[p]), num(n)]))))
  }
  for (const unit of report.units) {
    matrix(unit, 'overall', null, null, unit.overall)
    for (const d of unit.perDataset) matrix(unit, 'dataset', d.dataset, null, d.report)
    for (const s of unit.perSubject) matrix(unit, 'subject', s.dataset, s.subject, s.report)
  }
  return out
}

/** Where the confusion-matrix CSV of the summary CSV `path` goes: `report.csv` → `report.confusion.csv`. */
export function confusionCsvPath(path: string): string {
  return /\.csv$/i.test(path) ? path.replace(/\.csv$/i, '.confusion.csv') : `${path}.confusion.csv`
}

/** Caption of the confusion heatmap in the HTML and PNG reports. */
export const CONFUSION_CAPTION = 'Confusion matrix (rows: coded, columns: predicted; shade: share of the row)'

export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Size of `confusionSvg`'s drawing for `classes` classes. */
export function confusionSvgSize(classes: number): { width: number; height: number } {
  return { width: CONFUSION_LABEL + CONFUSION_CELL * classes, height: 20 + CONFUSION_CELL * classes }
}

const CONFUSION_CELL = 56
const CONFUSION_LABEL = 96

/** Fill of a confusion cell holding `share` of its row (0…1). */
export function confusionShade(share: number): [number, number, number] {
  return [Math.round(240 - 200 * share), Math.round(244 - 120 * share), 255]
}

/** Confusion matrix as an SVG heatmap (cell shade = row-normalised count). */
export function confusionSvg(report: ClassificationReport): string {
  const { classes, counts } = report.confusion
  const cell = CONFUSION_CELL
  const label = CONFUSION_LABEL
  const side = cell * classes.length
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${label + side}" height="${20 + side}" role="img" aria-label="confusion matrix">`]
  classes.forEach((c, i) => {
    parts.push(`<text x="${label + cell * i + cell / 2}" y="14" text-anchor="middle" font-size="11">${escapeHtml(c)}</text>`)
    parts.push(`<text x="${label - 6}" y="${20 + cell * i + cell / 2 + 4}" text-anchor="end" font-size="11">${escapeHtml(c)}</text>`)
  })
  counts.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0)
    row.forEach((n, p) => {
      const share = total === 0 ? 0 : n / total
      const x = label + cell * p
      const y = 20 + cell * t
      parts.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="rgb(${confusionShade(share).join(',')})"/>`)
      parts.push(`<text x="${x + cell / 2 - 1}" y="${y + cell / 2 + 4}" text-anchor="middle" font-size="13">${n}</text>`)
    })
  })
  parts.push('</svg>')
  return parts.join('')
}

/** Size of `barsSvg`'s drawing for `items` bars. */
export function barsSvgSize(items: number): { width: number; height: number } {
  return { width: BAR_LABEL + BAR_WIDTH + 60, height: BAR_ROW * items + 4 }
}

const BAR_ROW = 18
const BAR_LABEL = 150
const BAR_WIDTH = 260
export const BAR_FILL = '#4a7fd6'

/** Horizontal bars for values in [0, 1] (per-class F1/recall, per-subject UF1). */
export function barsSvg(items: { label: string; value: number | null }[]): string {
  const row = BAR_ROW
  const label = BAR_LABEL
  const width = BAR_WIDTH
  const size = barsSvgSize(items.length)
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}" role="img">`]
  items.forEach((item, i) => {
    const y = i * row + 2
    parts.push(`<text x="${label - 6}" y="${y + 12}" text-anchor="end" font-size="11">${escapeHtml(item.label)}</text>`)
    if (item.value !== null) parts.push(`<rect x="${label}" y="${y}" width="${(width * item.value).toFixed(1)}" height="${row - 4}" fill="${BAR_FILL}"/>`)
    parts.push(`<text x="${label + width + 6}" y="${y + 12}" font-size="11">${f4(item.value)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('')
}

/** The per-class bars of a report: F1 then recall of each class present in the coded labels. */
export function perClassBars(r: ClassificationReport): { label: string; value: number | null }[] {
  const present = r.perClass.filter((c) => c.support > 0)
  return [...present.map((c) => ({ label: `F1 ${c.label}`, value: c.f1 })), ...present.map((c) => ({ label: `recall ${c.label}`, value: c.recall }))]
}

export function evaluationHtml(report: EvaluationReport, title: string): string {
  const sections = report.units.map((unit) => {
    const o = unit.overall
    return `<section>
<h2>${escapeHtml(unit.id)}</h2>
${unit.perFold ? `<p>Per-fold models: ${unit.models.map(escapeHtml).join(', ')} — each sample predicted by the model that did not see its subject.</p>` : ''}
<p class="note">Figure: ${escapeHtml(unit.figure)}.</p>
<p class="note">Classes: ${escapeHtml(unit.classMapping)}.</p>
${unit.leakage ? `<p class="${unit.leakage.seenInTraining > 0 ? 'warn' : 'note'}">${escapeHtml(leakageLine(unit.leakage))}.</p>` : ''}
<table><tr><th>n</th><th>UF1</th><th>UAR</th><th>accuracy</th></tr><tr><td>${o.n}</td><td>${f4(o.uf1)}</td><td>${f4(o.uar)}</td><td>${f4(o.accuracy)}</td></tr></table>
<p class="note">Left out: ${escapeHtml(describeExcluded(unit))}.</p>
<div class="charts"><figure>${confusionSvg(o)}<figcaption>${CONFUSION_CAPTION}</figcaption></figure>
<figure>${barsSvg(perClassBars(o))}<figcaption>Per-class F1 and recall</figcaption></figure></div>
<h3>Per dataset</h3>
<table><tr><th>dataset</th><th>n</th><th>UF1</th><th>UAR</th><th>accuracy</th></tr>
${unit.perDataset.map((d) => `<tr><td>${escapeHtml(d.dataset)}</td><td>${d.report.n}</td><td>${f4(d.report.uf1)}</td><td>${f4(d.report.uar)}</td><td>${f4(d.report.accuracy)}</td></tr>`).join('\n')}
</table>
<h3>Per subject (accuracy)</h3>
<figure>${barsSvg(unit.perSubject.map((s) => ({ label: `${s.dataset}/${s.subject} (n ${s.report.n})`, value: s.report.accuracy })))}</figure>
<h3>Misclassified samples</h3>
<table><tr><th>sample</th><th>model</th><th>coded</th><th>predicted</th></tr>
${unit.misclassified.map((m) => `<tr><td>${escapeHtml(`${m.dataset}/${m.subject}/${m.sample}`)}</td><td>${escapeHtml(m.modelId)}</td><td>${escapeHtml(m.truth)}</td><td>${escapeHtml(m.predicted)}</td></tr>`).join('\n')}
</table>
</section>`
  })
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccd;padding:3px 8px;text-align:left}
.charts{display:flex;gap:24px;flex-wrap:wrap}figure{margin:8px 0}figcaption,.note{color:#556;font-size:12px}.warn{color:#a02000;font-weight:bold}section{margin-bottom:32px}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${sections.join('\n')}
<p class="note">Method: ${escapeHtml(report.method)}</p>
</body></html>
`
}
