import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { StudioError } from '@shared/ipc/errors'
import { CodingService } from '../../services/annotations/coding'
import { BatchStore } from '../../services/batch/store'
import {
  evaluateSpottingVideos,
  formatSpottingText,
  parsePredictions,
  truthFromGroundTruth,
  truthFromProject,
  type PredictedVideo,
  type SpotTruthVideo,
} from '../../services/evaluation/spotting'
import { checkExportFile } from '../../services/export/target'
import { writeFileAtomic } from '../../services/fs-atomic'
import { MediaService } from '../../services/media'
import { CandidateReviewService } from '../../services/motion/candidates'
import { spotLongClip } from '../../services/motion/interval-spotting'
import { Project } from '../../services/project/project'
import type { LongGroundTruth } from '../../services/synth/long'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { EXIT, UsageError, stringOption, type CliIo, type CommandRun } from '../command'
import { numberOption } from './clip-options'

export const run: CommandRun = async ({ values }, io) => {
  const projectPath = stringOption(values, 'project')
  const truthPath = stringOption(values, 'truth')
  if (Boolean(projectPath) === Boolean(truthPath)) throw new UsageError('give exactly one of --project and --truth')
  if (values.reviewed === true && (!projectPath || values.predictions !== undefined)) {
    throw new UsageError('--reviewed takes the predictions from the project: give --project, without --predictions')
  }
  const iou = numberOption(values, 'iou', 0.5)
  if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou must be in (0, 1], got ${iou}`)
  const savePath = stringOption(values, 'save')
  const save = savePath === undefined ? undefined : resolve(io.cwd, savePath)
  const overwrite = values.force === true
  // Checked before any spotting: a long run must not end in a refused write.
  if (save) await checkExportFile(save, ['.json'], overwrite)
  let truth: SpotTruthVideo[]
  if (projectPath) {
    const project = await Project.open(resolve(io.cwd, projectPath), { keepBackups: 0 })
    try {
      truth = truthFromProject(project, new BatchStore(project))
    } finally {
      project.close()
    }
    if (truth.length === 0) throw new UsageError(`${projectPath} holds no long-video dataset (CAS(ME)², CAS(ME)³): nothing to evaluate`)
  } else {
    const file = resolve(io.cwd, truthPath!)
    let parsed: LongGroundTruth
    try {
      parsed = JSON.parse(await readFile(file, 'utf8')) as LongGroundTruth
    } catch (error) {
      throw new StudioError('invalid-input', `${truthPath} is not a ground-truth.json: ${(error as Error).message}`)
    }
    truth = truthFromGroundTruth(parsed, dirname(file))
  }
  const files = (values.predictions as string[] | undefined) ?? []
  const predicted: PredictedVideo[] = []
  if (values.reviewed === true) predicted.push(...(await reviewedPredictions(resolve(io.cwd, projectPath!))))
  for (const f of files) {
    const path = resolve(io.cwd, f)
    predicted.push(...parsePredictions(await readFile(path, 'utf8'), basename(f), dirname(path)))
  }
  if (files.length === 0 && values.reviewed !== true) predicted.push(...(await spotAll(truth, io)))
  if (save) {
    await writeFileAtomic(save, JSON.stringify({ videos: predicted.map((p) => ({ clip: p.ref, intervals: p.intervals })) }, null, 1) + '\n', { overwrite })
  }
  const evaluation = evaluateSpottingVideos(truth, predicted, iou)
  io.stdout(values.json ? JSON.stringify(evaluation, null, 2) + '\n' : formatSpottingText(evaluation))
  return EXIT.ok
}

/** The candidates reviewed in the app (Coding → Candidates), as the Batch view evaluates them. */
async function reviewedPredictions(file: string): Promise<PredictedVideo[]> {
  const project = await Project.open(file, { keepBackups: 0 })
  try {
    return new CandidateReviewService(project, new CodingService(project)).reviewedPredictions()
  } finally {
    project.close()
  }
}

/** Spots every truth video with the studio's defaults (one pool for all). */
async function spotAll(truth: readonly SpotTruthVideo[], io: CliIo): Promise<PredictedVideo[]> {
  const pool = new VisionPool(visionWorkerLocation())
  const media = new MediaService()
  const out: PredictedVideo[] = []
  try {
    for (const [i, video] of truth.entries()) {
      const result = await spotLongClip(video.clip, { media, pool }, {
        fps: video.fps,
        onProgress: ({ done, total }) => {
          if (io.isTty) io.stderr(`\rspot video ${i + 1}/${truth.length}: ${done}/${total} frames   `)
        },
      })
      for (const warning of result.warnings) io.stderr(`me-studio evaluate-spotting: ${video.video}: ${warning}\n`)
      out.push({ ref: video.clip, intervals: result.intervals.filter((c) => c.label === 'expression').map((c) => ({ onset: c.onset, offset: c.offset, kind: c.kind })) })
      media.forget(video.clip)
    }
  } finally {
    await pool.destroy()
  }
  if (io.isTty) io.stderr('\n')
  return out
}
