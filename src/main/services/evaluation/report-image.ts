import sharp from '../media/sharp'
import type { EvaluationReport } from './evaluate'
import { barsSvg, barsSvgSize, CONFUSION_CAPTION, confusionSvg, confusionSvgSize, describeExcluded, escapeHtml, f4, leakageLine, perClassBars } from './report'

/**
 * The evaluation report as one PNG image, for slides and papers: per model (or per-fold family)
 * the summary figures (n, UF1, UAR, accuracy, what was left out), the pooled confusion matrix and
 * the per-class F1/recall bars — the charts of the HTML report, drawn as one SVG and rasterised
 * with sharp (librsvg) in the main process, no browser involved. White background, opaque RGB.
 */

const MARGIN = 24
const TITLE_HEIGHT = 48
/** Unit heading, summary line, figure/left-out note and leakage line above the charts. */
const UNIT_HEADER = 100
const CHART_GAP = 40
const UNIT_GAP = 28
const MIN_WIDTH = 720
/** Pixels per SVG unit: 2 gives a sharp image on slides and in print. */
export const REPORT_IMAGE_SCALE = 2

interface Placed {
  svg: string
  height: number
  width: number
}

/** One unit's block at the origin: header text, confusion matrix on the left, per-class bars on its right. */
function unitBlock(unit: EvaluationReport['units'][number]): Placed {
  const o = unit.overall
  const confusion = confusionSvgSize(o.confusion.classes.length)
  const bars = perClassBars(o)
  const barsSize = barsSvgSize(bars.length)
  const chartsHeight = Math.max(confusion.height, barsSize.height) + 20
  const width = confusion.width + CHART_GAP + barsSize.width
  const title = `${unit.id}${unit.perFold ? ` (per-fold models: ${unit.models.length})` : ''}`
  const parts = [
    `<text x="0" y="22" font-size="18" font-weight="bold">${escapeHtml(title)}</text>`,
    `<text x="0" y="48" font-size="14">n ${o.n}   ·   UF1 ${f4(o.uf1)}   ·   UAR ${f4(o.uar)}   ·   accuracy ${f4(o.accuracy)}</text>`,
    `<text x="0" y="68" font-size="11" fill="#556">${escapeHtml(unit.figure)}. Left out: ${escapeHtml(describeExcluded(unit))}</text>`,
    unit.leakage
      ? `<text x="0" y="84" font-size="11" fill="${unit.leakage.seenInTraining > 0 ? '#a02000' : '#556'}">${escapeHtml(leakageLine(unit.leakage))}</text>`
      : '',
    `<g transform="translate(0,${UNIT_HEADER})">${confusionSvg(o)}</g>`,
    `<text x="0" y="${UNIT_HEADER + confusion.height + 16}" font-size="11" fill="#556">${CONFUSION_CAPTION}</text>`,
    `<g transform="translate(${confusion.width + CHART_GAP},${UNIT_HEADER})">${barsSvg(bars)}</g>`,
    `<text x="${confusion.width + CHART_GAP}" y="${UNIT_HEADER + barsSize.height + 16}" font-size="11" fill="#556">Per-class F1 and recall</text>`,
  ]
  return { svg: parts.join(''), width, height: UNIT_HEADER + chartsHeight }
}

/** The report image as SVG (in SVG units; the PNG is `REPORT_IMAGE_SCALE` times larger), and its size. */
export function evaluationSvg(report: EvaluationReport, title: string): { svg: string; width: number; height: number } {
  const blocks = report.units.map(unitBlock)
  const width = Math.max(MIN_WIDTH, ...blocks.map((b) => b.width + 2 * MARGIN))
  let y = MARGIN + TITLE_HEIGHT
  const placed: string[] = []
  for (const block of blocks) {
    placed.push(`<g transform="translate(${MARGIN},${y})">${block.svg}</g>`)
    y += block.height + UNIT_GAP
  }
  if (blocks.length === 0) {
    placed.push(`<text x="${MARGIN}" y="${y + 16}" font-size="14">No predictions to evaluate.</text>`)
    y += 40
  }
  const height = y - UNIT_GAP + MARGIN
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Lato, Arial, sans-serif" fill="#1d2330">` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>` +
    `<text x="${MARGIN}" y="${MARGIN + 22}" font-size="22" font-weight="bold">${escapeHtml(title)}</text>` +
    placed.join('') +
    '</svg>'
  return { svg, width, height }
}

/** The report image as PNG bytes (`REPORT_IMAGE_SCALE` × the SVG size, opaque RGB). */
export async function evaluationPng(report: EvaluationReport, title: string): Promise<Buffer> {
  const { svg } = evaluationSvg(report, title)
  return sharp(Buffer.from(svg), { density: 72 * REPORT_IMAGE_SCALE })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 9 })
    .toBuffer()
}
