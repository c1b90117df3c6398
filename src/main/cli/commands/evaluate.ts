import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { BatchStore } from '../../services/batch/store'
import { evaluate } from '../../services/evaluation/evaluate'
import { checkEvaluationTarget, exportEvaluation } from '../../services/evaluation/export'
import { formatEvaluationText } from '../../services/evaluation/report'
import { inputsFromPredictionsCsv } from '../../services/evaluation/sources'
import { Project } from '../../services/project/project'
import { StudioError } from '@shared/ipc/errors'
import { EXIT, UsageError, stringOption, type CommandRun } from '../command'

export const run: CommandRun = async ({ values }, io) => {
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
}

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
