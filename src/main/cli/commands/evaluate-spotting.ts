import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { StudioError } from '@shared/ipc'
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
import { writeFileAtomic } from '../../services/fs-atomic'
import { MediaService } from '../../services/media'
import { spotLongClip } from '../../services/motion/interval-spotting'
import { Project } from '../../services/project/project'
import type { LongGroundTruth } from '../../services/synth/long'
import { VisionPool } from '../../workers/vision-pool'
import { visionWorkerLocation } from '../../workers/vision-worker-location'
import { EXIT, UsageError, defineCommand, stringOption, type CliIo } from '../command'
import { numberOption } from './clip-vision'

export const evaluateSpottingCommand = defineCommand({
  name: 'evaluate-spotting',
  summary: 'MEGC spotting evaluation of long videos: precision, recall and F1 per kind (IoU ≥ 0.5), per video, per dataset and pooled.',
  usage: '(--project P | --truth ground-truth.json) [--predictions intervals.json …] [--iou 0.5] [--save intervals.json] [--json]',
  help: `The truth: --project P takes every coded expression of the project's long-video datasets
(CAS(ME)², CAS(ME)³: the samples <video>#k sharing a clip; their reference coding), kind by length
(micro ≤ 500 ms); --truth takes a ground-truth.json of \`me-studio synth --format long\`.

Options:
  --predictions FILE  \`me-studio spot <video> --intervals --json\` outputs (one per file, an array
                      of them, or {"videos":[{"clip"|"video", "intervals":[…]}]}); repeat it for
                      several files. Without it, every video of the truth is spotted now.
  --iou X             IoU threshold of a true positive (default 0.5, MEGC)
  --save FILE         write the predictions used (spotted now or read) as one file
  --json              print the evaluation as JSON

A prediction is a true positive when its IoU with a ground-truth interval of the same kind is
≥ 0.5 (frames counted inclusively), each truth and prediction matched at most once (highest IoU
first). Per dataset and pooled, TP, FP and FN are SUMMED over the videos before precision,
recall and F1 are computed (MEGC); overall = micro + macro counts.`,
  options: {
    project: { type: 'string' },
    truth: { type: 'string' },
    predictions: { type: 'string', multiple: true },
    iou: { type: 'string' },
    save: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [0, 0],
  async run({ values }, io) {
    const projectPath = stringOption(values, 'project')
    const truthPath = stringOption(values, 'truth')
    if (Boolean(projectPath) === Boolean(truthPath)) throw new UsageError('give exactly one of --project and --truth')
    const iou = numberOption(values, 'iou', 0.5)
    if (!(iou > 0 && iou <= 1)) throw new UsageError(`--iou must be in (0, 1], got ${iou}`)
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
    for (const f of files) {
      const path = resolve(io.cwd, f)
      predicted.push(...parsePredictions(await readFile(path, 'utf8'), basename(f), dirname(path)))
    }
    if (files.length === 0) predicted.push(...(await spotAll(truth, io)))
    const save = stringOption(values, 'save')
    if (save) await writeFileAtomic(resolve(io.cwd, save), JSON.stringify({ videos: predicted.map((p) => ({ clip: p.ref, intervals: p.intervals })) }, null, 1) + '\n')
    const evaluation = evaluateSpottingVideos(truth, predicted, iou)
    io.stdout(values.json ? JSON.stringify(evaluation, null, 2) + '\n' : formatSpottingText(evaluation))
    return EXIT.ok
  },
})

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
