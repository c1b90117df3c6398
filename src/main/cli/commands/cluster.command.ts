import { defineCommand } from '../command'

export const clusterSlurmCommand = defineCommand({
  name: 'cluster slurm',
  summary: 'Write (or submit) a Slurm job array that runs predict --shard over a project, then merges and evaluates the shards.',
  usage: '--project P --model M[,M2] --shards N [--out job.sh] [--submit] [--cpus-per-task C] [--gpus G] [--time HH:MM:SS] [--partition NAME]',
  help: `Options:
  --project FILE        the project (SQLite) file; every task reads it once into its own copy (no
                        lock, nothing written), so it may sit on a shared filesystem
  --model M[,M2]        model ids or .onnx files (as predict --model)
  --shards N            number of array tasks: task t (0…N-1) runs predict --shard (t+1)/N and
                        writes shard-t.csv
  --select S            which samples (as predict --select); default all
  --dir DIR             the run folder, created with its logs/ and work/ (the tasks' project
                        copies): shard CSVs, predictions.csv and evaluation.txt go there; default
                        the folder of --out, else the current folder
  --out FILE            write the script there (executable); default: print it (with --submit:
                        DIR/job.sh)
  --force               replace an existing --out file
  --submit              submit it now (runs \`bash FILE\`: the array, then the merge job with
                        --dependency=afterok) and print the job ids; needs Slurm's sbatch on PATH
  --cpus-per-task C     CPUs of each task (#SBATCH --cpus-per-task), default 1
  --gpus G              GPUs of each task (#SBATCH --gres=gpu:G), default none; predict then
                        tries CUDA first and writes the provider it used into every row
  --time T              each job's time limit (#SBATCH --time: HH:MM:SS, D-HH:MM, minutes…);
                        default the partition's
  --partition NAME      the partition (#SBATCH --partition); default the cluster's

The script is its own submitter: \`bash job.sh\` submits the shards that have no CSV yet as one
array and a merge job after it; the merge job (\`me-studio cluster merge\`, then \`me-studio
evaluate\`) writes DIR/predictions.csv — the file one machine would write for the same
predictions — and DIR/evaluation.txt. A failed task is re-run alone with \`sbatch --array=K job.sh\`,
or with the missing others by running \`bash job.sh\` again; a task skips a shard whose CSV exists.
The project, the datasets, DIR and this ME Studio must be reachable at the same paths on every node.`,
  options: {
    project: { type: 'string' },
    model: { type: 'string' },
    shards: { type: 'string' },
    select: { type: 'string' },
    dir: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    submit: { type: 'boolean' },
    'cpus-per-task': { type: 'string' },
    gpus: { type: 'string' },
    time: { type: 'string' },
    partition: { type: 'string' },
  },
  positionals: [0, 0],
  load: async () => (await import('./cluster')).runSlurm,
})

export const clusterMergeCommand = defineCommand({
  name: 'cluster merge',
  summary: 'Merge the shard-t.csv files of a cluster run into the one predictions CSV a single machine would write.',
  usage: '--shards N --out predictions.csv [--dir DIR] [--force]',
  help: `Options:
  --shards N   the number of shards: reads shard-0.csv … shard-<N-1>.csv
  --dir DIR    the folder holding them; default the current folder
  --out FILE   the merged predictions CSV (written atomically)
  --force      replace FILE if it exists

Rows are sorted as predict sorts them (dataset, subject, sample, model), so the file is
byte-identical to one predict over the whole selection with the same predictions. Refuses when a
shard is missing (naming it: re-run its task first), when the shards' columns differ, or when a row
is not in the shard its file stands for (a file from a split into another N).`,
  options: {
    shards: { type: 'string' },
    dir: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  },
  positionals: [0, 0],
  load: async () => (await import('./cluster')).runMerge,
})
