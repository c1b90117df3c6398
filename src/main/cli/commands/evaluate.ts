import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { BatchStore } from '../../services/batch/store'
import { evaluate } from '../../services/evaluation/evaluate'
import { checkEvaluationTarget, exportEvaluation } from '../../services/evaluation/export'
import { formatEvaluationText } from '../../services/evaluation/report'
import { inputsFromPredictionsCsv } from '../../services/evaluation/sources'
import { Project } from '../../services/project/project'
import { StudioError } from '@shared/ipc'
import { EXIT, UsageError, defineCommand, stringOption } from '../command'

export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'Pooled UF1, UAR, accuracy and the confusion matrix of predictions CSVs against the project\'s coded labels.',
  usage: '--project P --predictions preds.csv [--predictions shard2.csv …] [--html report.html] [--png report.png] [--csv report.csv] [--json]',
  help: `Options:
  --project FILE       the project whose coded labels are the truth (its current reference coding:
                       adjudicated, else the dataset's labels, else the first coder's)
  --predictions FILE   a predictions CSV from \`me-studio predict\` or the app; repeat it to pool the
                       shards of a cluster run
  --html FILE          also write a self-contained HTML report (inline SVG charts)
  --png FILE           also write the report as a PNG image (summary figures, confusion matrix and
                       per-class bars of each model)
  --csv FILE           also write the figures as CSV (overall, per dataset, per subject), and the
                       confusion matrices beside it as FILE with .confusion.csv for .csv (one row per
                       cell: model, scope, dataset, subject, coded_class, predicted_class, count)
  --json               print the report as JSON instead of text
  --force              replace existing --html/--png/--csv files (without it they are refused)

Figures are POOLED over all predictions (one confusion matrix), per model; per-fold models of a
subject-grouped cross-validation (ids ending in -fold<k>) are evaluated together, each sample counted
only with the fold model that did not train on its subject. A single model's figures on samples of
subjects its card says it was trained on (training.subjects) are flagged as training-set figures
(a warning on stderr and a leakage line in every report); a card without that record says
"training subjects unknown". The same (model, sample) twice across the CSVs is refused. Coded emotions are mapped onto each
model's classes (MEGC 2019 composite mapping for negative/positive/surprise models); samples outside
the classes, uncoded samples and failed predictions are left out and counted.`,
  options: {
    project: { type: 'string' },
    predictions: { type: 'string', multiple: true },
    html: { type: 'string' },
    csv: { type: 'string' },
    png: { type: 'string' },
    json: { type: 'boolean' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  async run({ values }, io) {
    const projectPath = resolve(io.cwd, stringOption(values, 'project', true))
    const files = (values.predictions as string[] | undefined) ?? []
    if (files.length === 0) throw new UsageError('missing required option --predictions')
    const overwrite = values.force === true
    const outputs = (['html', 'png', 'csv'] as const).flatMap((format) => {
      const path = stringOption(values, format)
      return path === undefined ? [] : [{ format, path: resolve(io.cwd, path) }]
    })
    // Every output is checked before anything is written: a refused --csv leaves no new --html behind.
    for (const { format, path } of outputs) await checkEvaluationTarget(format, path, overwrite)
    const texts = await Promise.all(files.map(async (f) => ({ name: basename(f), text: await readPredictions(resolve(io.cwd, f)) })))
    const project = await Project.open(projectPath, { keepBackups: 0 })
    try {
      const report = evaluate(inputsFromPredictionsCsv(new BatchStore(project), texts))
      for (const unit of report.units) {
        if (unit.leakage && unit.leakage.seenInTraining > 0) io.stderr(`warning: ${unit.id}: ${unit.leakage.note}\n`)
      }
      const title = `Evaluation — ${files.map((f) => basename(f)).join(', ')}`
      for (const { format, path } of outputs) await exportEvaluation(report, format, path, title, { overwrite })
      io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatEvaluationText(report))
      return EXIT.ok
    } finally {
      project.close()
    }
  },
})

async function readPredictions(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new StudioError('not-found', `file not found: ${path}`)
    if (code === 'EISDIR') throw new StudioError('invalid-input', `${path} is a folder, not a predictions CSV`)
    throw error
  }
}
