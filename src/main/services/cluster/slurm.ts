/** What `me-studio cluster slurm` puts in its script. Paths are absolute: the jobs run on other machines. */
export interface SlurmScriptOptions {
  project: string
  /** Model ids or absolute .onnx paths, as `predict --model` takes them. */
  models: readonly string[]
  /** `predict --select`, or null for all samples. */
  select: string | null
  shards: number
  /** The run folder: shard CSVs, work copies, logs, the merged predictions and the evaluation. */
  runDir: string
  cpusPerTask: number
  gpus: number
  /** Slurm's --time (e.g. 02:00:00), or null for the partition's default. */
  time: string | null
  partition: string | null
  /** The command line that runs `me-studio` on the nodes (node binary and bin/me-studio.mjs). */
  meStudio: readonly string[]
  /** The script's file name, for the instructions in its header. */
  scriptName: string
}

/** Quotes a value for bash: single quotes, with `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}

/** A value in an #SBATCH line: sbatch, not bash, reads those; it takes double quotes around a value with spaces. */
export function sbatchValue(value: string): string {
  if (/["\n]/.test(value)) throw new Error(`Slurm cannot take ${JSON.stringify(value)} in a job script (it holds a quote or a line break)`)
  return /\s/.test(value) ? `"${value}"` : value
}

const JOB_NAME = 'me-studio-predict'

/**
 * A Slurm batch script that is at once the array task (run by `sbatch`), the merge step (`job.sh
 * merge`, submitted by it) and its own submitter (`bash job.sh`: the shards without a CSV as one
 * array, then the merge with --dependency=afterok). Every task skips a shard whose CSV exists, so
 * running it again after a failure recomputes only what is missing.
 */
export function slurmScript(o: SlurmScriptOptions): string {
  const q = shellQuote
  const resources = [
    `#SBATCH --cpus-per-task=${o.cpusPerTask}`,
    ...(o.gpus > 0 ? [`#SBATCH --gres=gpu:${o.gpus}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
  ]
  const mergeOptions = [...(o.time ? [`--time=${o.time}`] : []), ...(o.partition ? [`--partition=${o.partition}`] : [])]
  const predictArgs = [
    '--project "$PROJECT"',
    '--model "$MODELS"',
    ...(o.select ? [`--select ${q(o.select)}`] : []),
    '--shard "$((task + 1))/$SHARDS"',
    '--work "work/shard-$task.meproj"',
    '--out "$csv"',
  ]
  return `#!/bin/bash
# ME Studio predictions over a project as a Slurm job array, written by \`me-studio cluster slurm\`.
#
# Submit:  bash ${o.scriptName}
#   the shards that have no CSV yet as one array, then the merge job after it
#   (--dependency=afterok); prints both job ids. After a failure run it again: only the missing
#   shards are recomputed, then merged.
# Re-run task K alone:  sbatch --array=K ${o.scriptName}   (a task skips a shard whose CSV exists)
#
# Task t runs \`me-studio predict --shard (t+1)/${o.shards}\` and writes shard-t.csv in the run folder.
# It reads the project once (a plain read: no lock, nothing written) into its own copy
# work/shard-t.meproj, so all tasks share one project, and a task that is killed (time limit,
# pre-emption) resumes from its copy when it runs again. The merge job pools the shards into
# predictions.csv (the CSV one machine would write) and evaluates it into evaluation.txt.
# The project, its datasets' folders, the run folder and ME Studio must be reachable at these
# paths from every node (a shared filesystem); edit the lines below if the nodes see other paths.
#SBATCH --job-name=${JOB_NAME}
#SBATCH --array=0-${o.shards - 1}
${resources.join('\n')}
#SBATCH --chdir=${sbatchValue(o.runDir)}
#SBATCH --output=logs/shard-%a_job-%A.log
set -euo pipefail

PROJECT=${q(o.project)}
MODELS=${q(o.models.join(','))}
SHARDS=${o.shards}
RUN_DIR=${q(o.runDir)}
me_studio() { ${o.meStudio.map(q).join(' ')} "$@"; }

cd "$RUN_DIR"

run_task() {
  local task=$1 csv="shard-$1.csv"
  if [ -f "$csv" ]; then
    echo "shard $task: $csv exists, nothing to do (delete it to recompute the shard)"
    return 0
  fi
  me_studio predict ${predictArgs.join(' ')}
}

merge() {
  me_studio cluster merge --dir . --shards "$SHARDS" --out predictions.csv --force
  me_studio evaluate --project "$PROJECT" --predictions predictions.csv > evaluation.txt
  echo "wrote $RUN_DIR/predictions.csv and $RUN_DIR/evaluation.txt"
}

# 0 1 2 5 7 8 -> 0-2,5,7-8 (Slurm's --array syntax)
ranges() {
  local out='' first='' last='' n
  for n in "$@" ''; do
    if [ -n "$last" ] && [ "$n" = "$((last + 1))" ]; then last=$n; continue; fi
    if [ -n "$first" ]; then
      out+="\${out:+,}$first"
      [ "$last" = "$first" ] || out+="-$last"
    fi
    first=$n last=$n
  done
  echo "$out"
}

submit() {
  local script missing=() task array merge after=()
  script=$(readlink -f "$0")
  mkdir -p logs work
  for ((task = 0; task < SHARDS; task++)); do [ -f "shard-$task.csv" ] || missing+=("$task"); done
  if [ \${#missing[@]} -gt 0 ]; then
    array=$(sbatch --parsable --array="$(ranges "\${missing[@]}")" "$script")
    array=\${array%%;*}
    echo "array job $array: shards $(ranges "\${missing[@]}") of 0-$((SHARDS - 1))"
    after=(--dependency="afterok:$array" --kill-on-invalid-dep=yes)
  fi
  merge=$(sbatch --parsable "\${after[@]}" --job-name=${JOB_NAME}-merge --chdir="$RUN_DIR" --output='logs/merge_job-%j.log'${mergeOptions.map((m) => ` ${m}`).join('')} --wrap="bash $(printf %q "$script") merge")
  echo "merge job \${merge%%;*}\${after:+ (after $array succeeds)}"
}

if [ "\${1:-}" = merge ]; then
  merge
elif [ -n "\${SLURM_ARRAY_TASK_ID:-}" ]; then
  run_task "$SLURM_ARRAY_TASK_ID"
else
  submit
fi
`
}
