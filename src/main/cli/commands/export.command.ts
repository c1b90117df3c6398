import { defineCommand } from '../command'

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'Export annotations, a batch\'s predictions or a training set for the models kit (written atomically).',
  usage: '--project P --what annotations|predictions|training-set --format csv|xlsx|eaf|json --out …',
  help: `Options:
  --project FILE     the project file
  --what W           annotations    every coder's codes (csv, xlsx shaped like CASME II's sheet, or eaf:
                                    one ELAN file per sample into the --out folder)
                     predictions    a batch job's predictions (csv, xlsx or json; schema in the README,
                                    "Predictions CSV"); --job picks the job (default: the newest)
                     training-set   manifest.csv + .npy model inputs + folds.csv for models/train.py
                                    (--format csv), built with --model's preprocessing recipe
  --format F         csv | xlsx | eaf | json (what each --what accepts is listed above)
  --out PATH         file with the format's extension, or folder for eaf and training-set (new or empty)
  --force            replace an existing --out file; eaf: write into a non-empty folder;
                     training-set: replace an earlier training-set export (never other files)
  --job ID           predictions: the batch job (see the app's batch view)
  --summaries        predictions (json/xlsx): add the per-frame attention summaries
  --model M[,M2]     training-set: the model(s) whose input recipe to follow (one folder each when several)
  --labels L         training-set: megc (default: MEGC 2019 negative/positive/surprise, others dropped) | emotion
  --select S         training-set: which samples (as for predict; default all coded ones)
  --dataset-id N     annotations: only this dataset`,
  options: {
    project: { type: 'string' },
    what: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
    job: { type: 'string' },
    summaries: { type: 'boolean' },
    model: { type: 'string' },
    labels: { type: 'string' },
    select: { type: 'string' },
    'dataset-id': { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  load: async () => (await import('./export')).run,
})
