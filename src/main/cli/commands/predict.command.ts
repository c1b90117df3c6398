import { defineCommand } from '../command'

const PREDICT_HELP = `Options:
  --project FILE     the project (SQLite) file
  --model M[,M2]     model ids (see the studio's model list), or .onnx files / folders of them with
                     their .card.json beside (e.g. the per-fold models of the models kit)
  --select S         which samples: all (default), or comma-separated terms
                     dataset=NAME, subject=S, emotion=E, coded, uncoded
  --out FILE         write the predictions CSV there (a .csv name, atomically); default: stdout
  --force            replace an existing --out file (checked before the batch runs)
  --provider P       execution provider to try first (cpu, cuda, webgpu, dml, coreml); the one actually
                     used is in the CSV (cpu where the model failed its parity check on P)
  --shard k/N        only the samples of shard k of N (1 ≤ k ≤ N): N machines with k = 1…N cover the
                     selection exactly once (stable hash of dataset, subject and sample)
  --coder NAME       take each sample's frames (and emotion) as the app's "Frames from" does for this
                     coder: the adjudicated coding, else NAME's own, else the dataset's labels; the CSV's
                     frames_coding names the coding of each row. Default: adjudicated, else the
                     dataset's labels, else the first coder's
  --frames-from F    with --coder: the coding tried first, adjudicated (default), mine or dataset
  --summaries        also record per-frame attention summaries (exported as JSON/XLSX)
  --fresh            start a new job even if an interrupted one ran the same command
  --work FILE        run the job in FILE, a private copy of the project made on the first run, so
                     the project itself is only read (no lock, nothing written): many processes —
                     the tasks of a cluster array — can share one project. Re-running the same
                     command resumes from FILE; FILE is deleted once the batch has completed and
                     its predictions are written

The batch is a job in the project (or the --work copy): every finished prediction is committed, so
re-running the same command after a crash, a kill or Ctrl-C resumes where it stopped (no row repeated
or lost).
A progress line goes to stderr; a sample that fails is reported and the batch goes on (its row has
error_code/error_message). Exit 0 when the batch completed, 1 otherwise.`

export const predictCommand = defineCommand({
  name: 'predict',
  summary: 'Run one or more models over a project\'s samples as a resumable batch and write the predictions CSV.',
  usage: '--project P --model M[,M2] [--select …] [--coder NAME [--frames-from mine]] [--out preds.csv] [--provider cpu|cuda|webgpu|…] [--shard k/N] [--work copy.meproj]',
  help: PREDICT_HELP,
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    select: { type: 'string' },
    out: { type: 'string' },
    provider: { type: 'string' },
    shard: { type: 'string' },
    coder: { type: 'string' },
    'frames-from': { type: 'string' },
    summaries: { type: 'boolean' },
    fresh: { type: 'boolean' },
    work: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  load: async () => (await import('./predict')).run,
})
