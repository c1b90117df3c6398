import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { BatchStore } from '../../services/batch/store'
import { evaluate } from '../../services/evaluation/evaluate'
import { confusionCsvPath, evaluationConfusionCsv, evaluationCsv, evaluationHtml, formatEvaluationText } from '../../services/evaluation/report'
import { evaluationPng } from '../../services/evaluation/report-image'
import { inputsFromPredictionsCsv } from '../../services/evaluation/sources'
import { writeFileAtomic } from '../../services/fs-atomic'
import { Project } from '../../services/project/project'
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

Figures are POOLED over all predictions (one confusion matrix), per model; per-fold models of a
subject-grouped cross-validation (ids ending in -fold<k>) are evaluated together, each sample counted
only with the fold model that did not train on its subject. Coded emotions are mapped onto each
model's classes (MEGC 2019 composite mapping for negative/positive/surprise models); samples outside
the classes, uncoded samples and failed predictions are left out and counted.`,
  options: {
    project: { type: 'string' },
    predictions: { type: 'string', multiple: true },
    html: { type: 'string' },
    csv: { type: 'string' },
    png: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [0, 0],
  async run({ values }, io) {
    const projectPath = resolve(io.cwd, stringOption(values, 'project', true))
    const files = (values.predictions as string[] | undefined) ?? []
    if (files.length === 0) throw new UsageError('missing required option --predictions')
    const texts = await Promise.all(files.map(async (f) => ({ name: basename(f), text: await readFile(resolve(io.cwd, f), 'utf8') })))
    const project = await Project.open(projectPath, { keepBackups: 0 })
    try {
      const report = evaluate(inputsFromPredictionsCsv(new BatchStore(project), texts))
      const html = stringOption(values, 'html')
      const csv = stringOption(values, 'csv')
      const png = stringOption(values, 'png')
      const title = `Evaluation — ${files.map((f) => basename(f)).join(', ')}`
      if (html) await writeFileAtomic(resolve(io.cwd, html), evaluationHtml(report, title))
      if (png) await writeFileAtomic(resolve(io.cwd, png), await evaluationPng(report, title))
      if (csv) {
        await writeFileAtomic(resolve(io.cwd, csv), evaluationCsv(report))
        await writeFileAtomic(resolve(io.cwd, confusionCsvPath(csv)), evaluationConfusionCsv(report))
      }
      io.stdout(values.json ? JSON.stringify(report, null, 2) + '\n' : formatEvaluationText(report))
      return EXIT.ok
    } finally {
      project.close()
    }
  },
})
