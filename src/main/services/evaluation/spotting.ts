/**
 * MEGC spotting evaluation of long videos (`@shared/metrics/spotting`): the truth comes from a
 * project's long-video datasets (every coded expression `<video>#k` of a clip) or from a
 * synthetic `ground-truth.json`; the predictions from `me-studio spot --intervals --json`
 * outputs, or a file gathering them.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { LONG_VIDEO_FORMATS } from '@shared/domain/dataset'
import { StudioError } from '@shared/ipc/errors'
import { countSpotting, poolSpotting, spotKindOf, type KindInterval, type SpotReport } from '@shared/metrics/spotting'
import type { BatchStore } from '../batch/store'
import type { Project } from '../project/project'
import type { LongGroundTruth } from '../synth/long'

export const SPOT_POOLING =
  'MEGC pooling: TP, FP and FN are summed over all videos (per kind; overall = micro + macro), then precision, recall and F1 are computed once'

/** The ground-truth expressions of one long video. */
export interface SpotTruthVideo {
  dataset: string
  /** `subject/video`, e.g. `s15/15_0101disgustingteeth`. */
  video: string
  /** Absolute path of the clip. */
  clip: string
  fps: number
  intervals: KindInterval[]
}

/** What a predictions file says about one video. */
export interface PredictedVideo {
  /** The clip path (absolute) or a `subject/video` id, as the file names it. */
  ref: string
  intervals: KindInterval[]
}

/**
 * The long videos of a project's long-video datasets (CAS(ME)², CAS(ME)³), each with the
 * reference coding of its expressions (samples sharing the clip); a clip nobody coded counts with
 * no truth (every prediction on it is a false positive).
 */
export function truthFromProject(project: Project, store: BatchStore): SpotTruthVideo[] {
  const longDatasets = new Set(project.listDatasets().filter((d) => LONG_VIDEO_FORMATS.includes(d.format)).map((d) => d.id))
  const videos = new Map<string, SpotTruthVideo>()
  for (const s of store.iterateSamples({ coded: 'any' })) {
    if (!longDatasets.has(s.datasetId)) continue
    let video = videos.get(s.clipPath)
    if (!video) {
      video = { dataset: s.dataset, video: `${s.subject}/${s.name.replace(/#\d+$/, '')}`, clip: s.clipPath, fps: s.fps, intervals: [] }
      videos.set(s.clipPath, video)
    }
    const c = s.coded
    if (c && c.onset !== null && c.offset !== null && c.offset >= c.onset) video.intervals.push({ onset: c.onset, offset: c.offset, kind: spotKindOf(c.onset, c.offset, s.fps) })
  }
  return [...videos.values()]
}

/** The videos of a synthetic long dataset (`me-studio synth --format long`), clips under `root`. */
export function truthFromGroundTruth(truth: LongGroundTruth, root: string): SpotTruthVideo[] {
  if (typeof truth !== 'object' || truth === null || truth.format !== 'long' || !Array.isArray(truth.videos)) throw new StudioError('invalid-input', 'ground-truth.json is not from `me-studio synth --format long`')
  return truth.videos.map((v) => ({
    dataset: 'synthetic',
    video: `${v.subject}/${v.video}`,
    clip: join(root, ...v.path.split('/')),
    fps: v.fps,
    intervals: v.expressions.map((e) => ({ onset: e.onset, offset: e.offset, kind: e.kind })),
  }))
}

/**
 * Reads a predictions file: one `spot --intervals --json` output, an array of them, or
 * `{"videos":[{"clip"|"video": …, "intervals":[…]}]}`. Relative clip paths are taken from `baseDir`;
 * an interval without `kind` gets it from its length at `fps` (the entry's, else the output's).
 */
export function parsePredictions(text: string, name: string, baseDir: string): PredictedVideo[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new StudioError('invalid-input', `${name} is not JSON: ${(error as Error).message}`)
  }
  const entries: unknown[] = Array.isArray(json) ? json : isObject(json) && Array.isArray(json.videos) ? json.videos : [json]
  return entries.map((entry, i) => {
    const where = `${name}, entry ${i + 1}`
    if (!isObject(entry) || !Array.isArray(entry.intervals)) throw new StudioError('invalid-input', `${where}: no "intervals" list`)
    const ref = typeof entry.clip === 'string' ? (isAbsolute(entry.clip) ? entry.clip : resolve(baseDir, entry.clip)) : typeof entry.video === 'string' ? entry.video : null
    if (!ref) throw new StudioError('invalid-input', `${where}: name the video with "clip" (its path) or "video" (subject/video)`)
    const fps = typeof entry.fps === 'number' && entry.fps > 0 ? entry.fps : null
    const intervals = entry.intervals.map((raw, k): KindInterval => {
      if (!isObject(raw) || !Number.isInteger(raw.onset) || !Number.isInteger(raw.offset) || (raw.offset as number) < (raw.onset as number)) {
        throw new StudioError('invalid-input', `${where}, interval ${k + 1}: onset and offset must be integer frame numbers, onset ≤ offset`)
      }
      const onset = raw.onset as number
      const offset = raw.offset as number
      if (raw.kind === 'micro' || raw.kind === 'macro') return { onset, offset, kind: raw.kind }
      if (raw.kind !== undefined) throw new StudioError('invalid-input', `${where}, interval ${k + 1}: kind must be micro or macro`)
      if (!fps) throw new StudioError('invalid-input', `${where}, interval ${k + 1}: no kind, and no "fps" to tell it from the length`)
      return { onset, offset, kind: spotKindOf(onset, offset, fps) }
    })
    return { ref, intervals }
  })
}

export interface VideoEvaluation {
  dataset: string
  video: string
  truths: number
  predictions: number
  report: SpotReport
}

export interface SpottingEvaluation {
  iou: number
  pooling: string
  videos: VideoEvaluation[]
  datasets: { dataset: string; videos: number; report: SpotReport }[]
  pooled: SpotReport
  /** Truth videos the predictions did not mention (counted with no predictions: all misses). */
  unpredicted: string[]
  /** Predictions for videos that are not in the truth (not counted). */
  unknown: string[]
}

/** Scores predictions against the truth, video by video, per dataset and pooled. */
export function evaluateSpottingVideos(truth: readonly SpotTruthVideo[], predicted: readonly PredictedVideo[], iou = 0.5): SpottingEvaluation {
  if (!(iou > 0 && iou <= 1)) throw new StudioError('invalid-input', `IoU threshold must be in (0, 1], got ${iou}`)
  const byRef = new Map<string, SpotTruthVideo>()
  for (const v of truth) {
    byRef.set(v.clip, v)
    byRef.set(v.video, v)
  }
  const predictions = new Map<SpotTruthVideo, KindInterval[]>()
  const unknown: string[] = []
  for (const p of predicted) {
    const video = byRef.get(p.ref)
    if (!video) unknown.push(p.ref)
    else predictions.set(video, [...(predictions.get(video) ?? []), ...p.intervals])
  }
  const counts = truth.map((v) => countSpotting(v.intervals, predictions.get(v) ?? [], iou))
  const videos = truth.map((v, i) => ({
    dataset: v.dataset,
    video: v.video,
    truths: v.intervals.length,
    predictions: predictions.get(v)?.length ?? 0,
    report: poolSpotting([counts[i]!]),
  }))
  const datasets = [...new Set(truth.map((v) => v.dataset))].map((dataset) => {
    const mine = counts.filter((_, i) => truth[i]!.dataset === dataset)
    return { dataset, videos: mine.length, report: poolSpotting(mine) }
  })
  return {
    iou,
    pooling: SPOT_POOLING,
    videos,
    datasets,
    pooled: poolSpotting(counts),
    unpredicted: truth.filter((v) => !predictions.has(v)).map((v) => v.video),
    unknown,
  }
}

/** The evaluation as aligned text: pooled, per dataset, per video. */
export function formatSpottingText(e: SpottingEvaluation): string {
  const pct = (v: number | null) => (v === null ? '   –' : (v * 100).toFixed(0).padStart(3) + '%')
  const row = (label: string, r: SpotReport) =>
    [label.padEnd(44), ...(['micro', 'macro', 'overall'] as const).map((k) => `${k} F1 ${pct(r[k].f1)} (TP ${r[k].tp} FP ${r[k].fp} FN ${r[k].fn})`)].join('  ')
  const lines = [
    `Spotting, IoU ≥ ${e.iou} (${e.pooling}).`,
    row('pooled', e.pooled),
    `  precision ${pct(e.pooled.overall.precision)}, recall ${pct(e.pooled.overall.recall)}`,
    '',
    ...e.datasets.map((d) => row(`dataset ${d.dataset} (${d.videos} videos)`, d.report)),
    '',
    ...e.videos.map((v) => row(`${v.video} (${v.truths} coded, ${v.predictions} spotted)`, v.report)),
  ]
  if (e.unpredicted.length) lines.push('', `No predictions for ${e.unpredicted.length} video(s), counted as all missed: ${e.unpredicted.join(', ')}`)
  if (e.unknown.length) lines.push('', `Predictions for videos not in the truth, not counted: ${e.unknown.join(', ')}`)
  return lines.join('\n') + '\n'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
