import { rm } from 'node:fs/promises'
import type { EVALUATION_EXPORT_FORMATS } from '@shared/ipc'
import { checkExportFile } from '../export/target'
import { writeFileAtomic } from '../fs-atomic'
import type { EvaluationReport } from './evaluate'
import { confusionCsvPath, evaluationConfusionCsv, evaluationCsv, evaluationHtml } from './report'
import { evaluationPng } from './report-image'

export type EvaluationFormat = (typeof EVALUATION_EXPORT_FORMATS)[number]

const EXTENSIONS: Record<EvaluationFormat, readonly string[]> = { csv: ['.csv'], html: ['.html', '.htm'], png: ['.png'] }

/**
 * Writes an evaluation report (the app's export and `me-studio evaluate --html/--png/--csv`):
 * CSV is the summary table plus its confusion matrices in long form beside it. Neither file
 * replaces an existing one unless `overwrite`; both are checked before either is written.
 * Returns every file written.
 */
export async function exportEvaluation(report: EvaluationReport, format: EvaluationFormat, path: string, title: string, options: { overwrite?: boolean } = {}): Promise<string[]> {
  const overwrite = options.overwrite ?? false
  await checkEvaluationTarget(format, path, overwrite)
  if (format !== 'csv') {
    await writeFileAtomic(path, format === 'png' ? await evaluationPng(report, title) : evaluationHtml(report, title), { overwrite })
    return [path]
  }
  const confusion = confusionCsvPath(path)
  await writeFileAtomic(path, evaluationCsv(report), { overwrite })
  try {
    await writeFileAtomic(confusion, evaluationConfusionCsv(report), { overwrite })
  } catch (error) {
    // The pair appears together or not at all (a new summary is not left without its matrices).
    if (!overwrite) await rm(path, { force: true })
    throw error
  }
  return [path, confusion]
}

/** Checks where a report would go (CSV: both files) without writing, so several outputs can be checked before any is written. */
export async function checkEvaluationTarget(format: EvaluationFormat, path: string, overwrite: boolean): Promise<void> {
  await checkExportFile(path, EXTENSIONS[format], overwrite)
  if (format === 'csv') await checkExportFile(confusionCsvPath(path), EXTENSIONS.csv, overwrite)
}
