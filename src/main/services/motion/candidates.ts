/**
 * Long-video candidate review, kept in the project (`spot_runs`, `spot_candidates`): a spotting
 * run per clip, its candidates, and the coder's review of each — accepted (coded on a sample
 * `<video>#k`, as the CAS(ME)² import makes them), rejected, or re-edged. Spotting a clip again
 * replaces the untouched candidates and keeps every reviewed one, so no review is ever lost.
 */
import { isAbsolute, join } from 'node:path'
import type { SampleRecord } from '@shared/domain/project'
import type { Candidate, CandidateReview, SpottingEvaluationView, SpottingRun } from '@shared/ipc'
import { LONG_CLIP_SECONDS } from '@shared/ipc/channels/spotting'
import { StudioError } from '@shared/ipc/errors'
import { intervalIou, spotKindOf } from '@shared/metrics/spotting'
import type { CodingService } from '../annotations/coding'
import { BatchStore } from '../batch/store'
import { evaluateSpottingVideos, truthFromProject, type PredictedVideo } from '../evaluation/spotting'
import type { Project } from '../project/project'
import type { LongSpotResult } from './interval-spotting'

/** Most points of the curve sent to a view: a 24,000-frame clip is drawn from 2,000 bin maxima. */
export const CURVE_POINTS = 2000

export const SPOTTING_BASIS =
  'truth: the reference coding of every expression sample <video>#k of the long videos (adjudicated, else the dataset labels, else a coder); predictions: the spotted expression candidates that are not rejected, with their edited edges'

interface RunRow {
  id: number
  dataset_id: number
  clip_path: string
  fps: number
  frames: number
  first_frame: number
  last_frame: number
  threshold: number
  curve: Buffer
  warnings_json: string
  spotted_at: string
}

interface CandidateRow {
  id: number
  run_id: number
  onset_frame: number
  apex_frame: number
  offset_frame: number
  label: Candidate['label']
  confidence: number
  regions_json: string
  state: Candidate['state']
  edited_onset: number | null
  edited_offset: number | null
  sample_id: number | null
}

const now = () => new Date().toISOString()

export class CandidateReviewService {
  constructor(
    readonly project: Project,
    private readonly coding: CodingService,
  ) {}

  private statement(sql: string) {
    return this.project.database.statement(sql)
  }

  /** The clip a sample belongs to, as the samples table names it (shared by its `<video>#k`). */
  private clipKey(sampleId: number): { sample: SampleRecord; datasetId: number; clipPath: string } {
    const sample = this.project.getSample(sampleId)
    const row = this.statement('SELECT dataset_id, clip_path FROM samples WHERE id = ?').get(sampleId) as { dataset_id: number; clip_path: string }
    return { sample, datasetId: row.dataset_id, clipPath: row.clip_path }
  }

  /** Checks that a sample can be spotted (long enough) and returns it. */
  spottable(sampleId: number): SampleRecord {
    const sample = this.project.getSample(sampleId)
    const seconds = sample.clip.frameCount / sample.clip.fps
    if (seconds < LONG_CLIP_SECONDS) {
      throw new StudioError(
        'invalid-input',
        `${sample.subject}/${sample.name} lasts ${seconds.toFixed(1)} s: interval spotting is for long videos (${LONG_CLIP_SECONDS} s or more); use the motion curve's apex suggestion on a cut clip`,
      )
    }
    return sample
  }

  /** Stores a spotting result for the sample's clip: reviewed candidates stay, the rest are replaced. */
  saveRun(sampleId: number, result: LongSpotResult): { datasetId: number; clipPath: string } {
    const { datasetId, clipPath } = this.clipKey(sampleId)
    const curve = Buffer.from(result.curve.buffer, result.curve.byteOffset, result.curve.byteLength)
    this.project.transaction(() => {
      this.statement(
        `INSERT INTO spot_runs(dataset_id, clip_path, fps, frames, first_frame, last_frame, threshold, curve, warnings_json, spotted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dataset_id, clip_path) DO UPDATE SET fps = excluded.fps, frames = excluded.frames, first_frame = excluded.first_frame,
           last_frame = excluded.last_frame, threshold = excluded.threshold, curve = excluded.curve,
           warnings_json = excluded.warnings_json, spotted_at = excluded.spotted_at`,
      ).run(datasetId, clipPath, result.fps, result.frames, result.frameNumbers.first, result.frameNumbers.last, result.threshold, curve, JSON.stringify(result.warnings), now())
      const runId = (this.statement('SELECT id FROM spot_runs WHERE dataset_id = ? AND clip_path = ?').get(datasetId, clipPath) as { id: number }).id
      const kept = this.statement(`SELECT * FROM spot_candidates WHERE run_id = ? AND NOT (state = 'pending' AND edited_onset IS NULL)`).all(runId) as CandidateRow[]
      this.statement(`DELETE FROM spot_candidates WHERE run_id = ? AND state = 'pending' AND edited_onset IS NULL`).run(runId)
      const insert = this.statement(
        `INSERT INTO spot_candidates(run_id, onset_frame, apex_frame, offset_frame, label, confidence, regions_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      for (const c of result.intervals) {
        // A reviewed candidate already stands for this interval.
        if (kept.some((k) => intervalIou({ onset: k.onset_frame, offset: k.offset_frame }, c) >= 0.5)) continue
        insert.run(runId, c.onset, c.apex, c.offset, c.label, Math.max(0, Math.min(1, c.confidence)), JSON.stringify(c.regions), now())
      }
    })
    return { datasetId, clipPath: this.absolute(datasetId, clipPath) }
  }

  /** A clip path as the samples table stores it (relative to its dataset's root when inside it), made absolute. */
  private absolute(datasetId: number, clipPath: string): string {
    if (isAbsolute(clipPath)) return clipPath
    return join((this.statement('SELECT root FROM datasets WHERE id = ?').get(datasetId) as { root: string }).root, clipPath)
  }

  /** The sample's clip's run and candidates (by onset), or null when it was never spotted. */
  run(sampleId: number): SpottingRun | null {
    const { sample, datasetId, clipPath } = this.clipKey(sampleId)
    const run = this.statement('SELECT * FROM spot_runs WHERE dataset_id = ? AND clip_path = ?').get(datasetId, clipPath) as RunRow | undefined
    if (!run) return null
    const values = new Float32Array(run.curve.buffer.slice(run.curve.byteOffset, run.curve.byteOffset + run.curve.byteLength))
    const step = Math.max(1, Math.ceil(values.length / CURVE_POINTS))
    const curve: number[] = []
    for (let i = 0; i < values.length; i += step) {
      let max = 0
      for (let j = i; j < Math.min(values.length, i + step); j++) max = Math.max(max, values[j]!)
      curve.push(Math.round(max * 1e4) / 1e4)
    }
    const rows = this.statement('SELECT * FROM spot_candidates WHERE run_id = ? ORDER BY COALESCE(edited_onset, onset_frame), id').all(run.id) as CandidateRow[]
    return {
      datasetId,
      clipPath: sample.clip.path,
      fps: run.fps,
      frames: run.frames,
      firstFrame: run.first_frame,
      lastFrame: run.last_frame,
      curve,
      curveStep: step,
      threshold: run.threshold,
      warnings: JSON.parse(run.warnings_json) as string[],
      spottedAt: run.spotted_at,
      candidates: rows.map((r) => toCandidate(r, run.fps)),
    }
  }

  /** Applies one review action in one transaction; returns the candidate and its clip. */
  review(input: CandidateReview): { candidate: Candidate; datasetId: number; clipPath: string; sampleAdded: boolean } {
    return this.project.transaction(() => {
      const row = this.statement('SELECT * FROM spot_candidates WHERE id = ?').get(input.candidateId) as CandidateRow | undefined
      if (!row) throw new StudioError('not-found', `No spotted candidate ${input.candidateId} in this project`)
      const run = this.statement('SELECT * FROM spot_runs WHERE id = ?').get(row.run_id) as RunRow
      let sampleAdded = false
      const update = (fields: Partial<CandidateRow>) => {
        const keys = Object.keys(fields) as (keyof CandidateRow)[]
        this.statement(`UPDATE spot_candidates SET ${keys.map((k) => `${k} = ?`).join(', ')}, updated_at = ? WHERE id = ?`).run(...keys.map((k) => fields[k]), now(), row.id)
      }
      if (input.action === 'reject') update({ state: 'rejected' })
      else if (input.action === 'reset') update({ state: 'pending' })
      else if (input.action === 'edges') {
        if (input.offset < input.onset) throw new StudioError('invalid-input', `Offset ${input.offset} is before onset ${input.onset}`)
        if (input.onset < run.first_frame || input.offset > run.last_frame) {
          throw new StudioError('invalid-input', `Frames ${input.onset}–${input.offset} are outside the video (${run.first_frame}–${run.last_frame})`)
        }
        update({ edited_onset: input.onset, edited_offset: input.offset })
      } else {
        if (row.label !== 'expression') throw new StudioError('invalid-input', `This candidate is a ${row.label}, not an expression: only expressions are coded`)
        const current = toCandidate(row, run.fps)
        const coded = this.codeExpression(run, current, input.annotatorId)
        sampleAdded = coded.added
        update({ state: 'accepted', sample_id: coded.sampleId })
      }
      const after = this.statement('SELECT * FROM spot_candidates WHERE id = ?').get(row.id) as CandidateRow
      return { candidate: toCandidate(after, run.fps), datasetId: run.dataset_id, clipPath: this.absolute(run.dataset_id, run.clip_path), sampleAdded }
    })
  }

  /**
   * The sample an accepted candidate is coded on: an expression of the clip whose reference coding
   * overlaps it (IoU ≥ 0.5: the dataset's labels already hold it, so no duplicate is made), else a
   * new sample `<video>#k` (next free k). The coder's onset/apex/offset are prefilled unless they
   * already coded that sample's onset.
   */
  private codeExpression(run: RunRow, candidate: Candidate, annotatorId: number): { sampleId: number; added: boolean } {
    const siblings = this.statement('SELECT id, subject, name FROM samples WHERE dataset_id = ? AND clip_path = ? ORDER BY id').all(run.dataset_id, run.clip_path) as {
      id: number
      subject: string
      name: string
    }[]
    if (siblings.length === 0) throw new StudioError('not-found', 'The video of this candidate is no longer in the project')
    let target: number | null = null
    for (const s of siblings) {
      const ref = this.project.annotationsForSample(s.id).find((a) => a.onset !== null && a.offset !== null && intervalIou({ onset: a.onset, offset: a.offset! }, candidate) >= 0.5)
      if (ref) {
        target = s.id
        break
      }
    }
    let added = false
    if (target === null) {
      const video = siblings[0]!.name.replace(/#\d+$/, '')
      const used = siblings.map((s) => Number(/#(\d+)$/.exec(s.name)?.[1] ?? 0))
      const name = `${video}#${Math.max(0, ...used) + 1}`
      const info = this.statement(
        `INSERT INTO samples(dataset_id, subject, name, clip_kind, clip_path, fps, frame_count, first_frame, last_frame, width, height, frame_numbers, files, folder_label)
         SELECT dataset_id, subject, ?, clip_kind, clip_path, fps, frame_count, first_frame, last_frame, width, height, frame_numbers, files, folder_label
         FROM samples WHERE id = ?`,
      ).run(name, siblings[0]!.id)
      target = Number(info.lastInsertRowid)
      added = true
    }
    const mine = this.project.getAnnotation({ sampleId: target, annotatorId, adjudicated: false })
    if (!mine || mine.onset === null) {
      this.coding.update(target, annotatorId, { onset: candidate.onset, apex: candidate.apex, offset: candidate.offset }, 'accept spotted candidate')
    }
    return { sampleId: target, added }
  }

  /** Every spotted clip's expression candidates that are not rejected, with their edited edges: the predictions the review stands for. */
  reviewedPredictions(): PredictedVideo[] {
    const runs = this.statement('SELECT * FROM spot_runs').all() as RunRow[]
    return runs.map((run) => {
      const rows = this.statement(`SELECT * FROM spot_candidates WHERE run_id = ? AND label = 'expression' AND state != 'rejected'`).all(run.id) as CandidateRow[]
      return { ref: this.absolute(run.dataset_id, run.clip_path), intervals: rows.map((r) => toCandidate(r, run.fps)).map(({ onset, offset, kind }) => ({ onset, offset, kind })) }
    })
  }

  /** MEGC evaluation (`evaluation/spotting.ts`) of the project's long videos against the reviewed candidates. */
  evaluation(iou: number): SpottingEvaluationView {
    const truth = truthFromProject(this.project, new BatchStore(this.project))
    // Runs on clips of other datasets are not long videos' (`unknown`): not shown.
    const { unknown: _notLong, ...evaluation } = evaluateSpottingVideos(truth, this.reviewedPredictions(), iou)
    return { ...evaluation, basis: SPOTTING_BASIS }
  }
}

function toCandidate(r: CandidateRow, fps: number): Candidate {
  const onset = r.edited_onset ?? r.onset_frame
  const offset = r.edited_offset ?? r.offset_frame
  return {
    id: r.id,
    onset,
    apex: Math.max(onset, Math.min(offset, r.apex_frame)),
    offset,
    spotted: { onset: r.onset_frame, offset: r.offset_frame },
    kind: spotKindOf(onset, offset, fps),
    label: r.label,
    confidence: r.confidence,
    regions: JSON.parse(r.regions_json) as string[],
    state: r.state,
    edited: r.edited_onset !== null,
    sampleId: r.sample_id,
  }
}
