import { defineCommand } from '../command'

export const importCommand = defineCommand({
  name: 'import',
  summary: 'Import a dataset folder and its labels into a project file (created if missing).',
  usage: '<dataset-dir> --project <file> [--format auto|casme2|samm|smic|casme2-long|casme3] [--labels <xlsx|csv>] [--fps N] [--name NAME] [--json]',
  help: `Options:
  --project FILE   the project (SQLite) file; created when it does not exist
  --format F       dataset layout (default auto: recognised from the folder)
  --labels FILE    label sheet to use instead of the one found in the folder; the import fails
                   (exit 1) when it cannot be used: unreadable, over a reading limit, no header row
  --fps N          frame-rate override
  --name NAME      dataset name in the project (default: the folder name)
  --json           print the import result as JSON

The dataset folder is only read. Clips become samples (CAS(ME)², CAS(ME)³: each labelled
expression of a long video becomes a sample <video>#<k> sharing the clip); the sheet's labels
become the read-only annotations of "<format> labels". Prints samples, subjects, label counts and the validation
problems; exits 0 when the import succeeded (problems are warnings), 1 when it failed.`,
  options: {
    project: { type: 'string' },
    format: { type: 'string' },
    labels: { type: 'string' },
    fps: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [1, 1],
  load: async () => (await import('./import')).run,
})
