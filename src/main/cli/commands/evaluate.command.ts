import { defineCommand } from '../command'

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
model's classes by its card's class set (classSet: e.g. MS-3D-ResNet's four classes with repression in
"other"; without one, the class of the same name, else the MEGC 2019 composite mapping for
negative/positive/surprise models), and each model's report prints the mapping; samples outside
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
  load: async () => (await import('./evaluate')).run,
})
