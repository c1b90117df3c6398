import { randomUUID } from 'node:crypto'
import { resolve } from 'node:path'
import type Database from 'better-sqlite3'
import { StudioError, type StudioErrorShape } from '@shared/ipc/errors'
import { heldOutGroupsOf, isHeldOutBy, shardOf, type BatchSelection, type FramesSource, type Shard } from '@shared/domain/batch'
import { codingSourcesFrom, framesCodingLabel, type BatchReference, type CodingSource } from '@shared/domain/coding-source'
import { ModelCardSchema, type ClassSet } from '@shared/domain/model-card'
import type { Project } from '../project/project'
import { addModel, createJob, listJobs, markJobItem, pendingJobItems, recordPrediction, setJobState, type JobRecordState } from '../project/runs'
import type { BatchSample, PredictionSummary, PredictorModel, SamplePrediction } from './predictor'

/**
 * The batch's persistence in the project file, through the project's jobs/models/predictions
 * API (`project/runs.ts`). A batch job fixes its work list at creation — one pending
 * `job_items` row per (sample, model), key `<sample id>|<model row id>` — and finished items
 * are committed together with their predictions, a group at a time, in one transaction each
 * (`recordResults`), so a crash loses at most the items in flight and the group not yet
 * committed, and a resume neither repeats nor skips one.
 */

export const BATCH_JOB_KIND = 'batch.predict'

export interface BatchJobParams {
  selection: BatchSelection
  shard: Shard | null
  /** Model references as the user gave them (card ids or paths), resolved again on resume. */
  modelRefs: string[]
  /** Rows of the `models` table, in the same order, pinning each model's sha256. */
  modelRowIds: number[]
  provider: string | null
  summaries: boolean
}

export interface BatchJobRecord {
  jobId: string
  state: JobRecordState
  params: BatchJobParams
  total: number
  done: number
  failed: number
  createdAt: string
  updatedAt: string
}

export interface PendingItem {
  itemKey: string
  sampleId: number
  modelRowId: number
}

/** One prediction joined with everything an export or the evaluation needs. */
export interface PredictionRow {
  sampleId: number
  dataset: string
  subject: string
  sample: string
  /** As stored in the project: relative to the dataset folder (absolute when the clip lies outside it). */
  clipPath: string
  fps: number
  onset: number | null
  apex: number | null
  offset: number | null
  framesSource: FramesSource | null
  /** Which coding the frames came from (`framesCodingLabel`), null for an uncoded sample. */
  framesCoding: string | null
  codedEmotion: string | null
  modelRowId: number
  modelId: string
  modelName: string
  modelVersion: string
  modelSha256: string
  modelClasses: string[]
  /** The card's `classSet`, null when it names none. */
  modelClassSet: ClassSet | null
  modelProtocol: string
  modelTrainingSubjects: string[] | null
  provider: string
  recipeId: string
  predictedClass: string | null
  probabilities: number[] | null
  preprocessMs: number | null
  inferenceMs: number | null
  totalMs: number | null
  errorCode: string | null
  errorMessage: string | null
  summaries: PredictionSummary[] | null
}

const SAMPLE_COLUMNS = /* sql */ `
  s.id AS sampleId, d.id AS datasetId, d.name AS dataset, s.subject AS subject, s.name AS name,
  s.clip_path AS clipPath, d.root AS root, s.fps AS fps, s.frame_count AS frameCount,
  r.id AS refId, r.onset_frame AS onset, r.apex_frame AS apex, r.offset_frame AS offset, r.emotion AS emotion`

/**
 * The reference coding of a sample, in the order the selection's `reference` prefers (Inspect's
 * "Frames from"): the adjudicated annotation, the chosen coder's own, the labels that came with
 * the dataset (annotator role `dataset`); then the first other coder's. Without a reference: the
 * adjudicated annotation, else the dataset's labels, else the first coder's. The ranks and the
 * coder id are integers from the validated request, written into the SQL (cached per text).
 */
function sampleFrom(reference: BatchReference | undefined): string {
  const rank = Object.fromEntries(codingSourcesFrom(reference?.prefer ?? null).map((source, i) => [source, i])) as Record<CodingSource, number>
  const coder = reference?.annotatorId ?? null
  return /* sql */ `
  FROM samples s JOIN datasets d ON d.id = s.dataset_id
  LEFT JOIN annotations r ON r.id = (
    SELECT a.id FROM annotations a JOIN annotators t ON t.id = a.annotator_id
    WHERE a.sample_id = s.id AND (a.emotion IS NOT NULL OR a.onset_frame IS NOT NULL)
    ORDER BY CASE WHEN a.adjudicated = 1 THEN ${rank.adjudicated}
                  ${coder === null ? '' : `WHEN a.annotator_id = ${Math.trunc(coder)} THEN ${rank.mine}`}
                  WHEN t.role = 'dataset' THEN ${rank.dataset} ELSE 3 END, a.id ASC LIMIT 1)
  LEFT JOIN annotators rt ON rt.id = r.annotator_id`
}

const SAMPLE_ORDER = 'ORDER BY d.name, s.subject, s.name, s.id'

/** Rows per page when streaming samples and predictions. */
const PAGE = 256

interface SampleRow {
  sampleId: number
  datasetId: number
  dataset: string
  subject: string
  name: string
  clipPath: string
  root: string
  fps: number
  frameCount: number
  refId: number | null
  onset: number | null
  apex: number | null
  offset: number | null
  emotion: string | null
}

function toBatchSample(row: SampleRow): BatchSample {
  return {
    sampleId: row.sampleId,
    datasetId: row.datasetId,
    dataset: row.dataset,
    subject: row.subject,
    name: row.name,
    clipPath: resolve(row.root, row.clipPath),
    fps: row.fps,
    frameCount: row.frameCount,
    coded: row.refId === null ? null : { onset: row.onset, apex: row.apex, offset: row.offset, emotion: row.emotion },
  }
}

function selectionWhere(selection: BatchSelection): { sql: string; args: unknown[] } {
  const clauses: string[] = []
  const args: unknown[] = []
  if (selection.dataset) {
    clauses.push('d.name = ?')
    args.push(selection.dataset)
  }
  if (selection.subject) {
    clauses.push('s.subject = ?')
    args.push(selection.subject)
  }
  if (selection.emotion) {
    clauses.push('lower(r.emotion) = lower(?)')
    args.push(selection.emotion)
  }
  if (selection.coded === 'coded') clauses.push('r.id IS NOT NULL')
  if (selection.coded === 'uncoded') clauses.push('r.id IS NULL')
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', args }
}

export class BatchStore {
  private readonly db: Database.Database

  constructor(readonly project: Project) {
    this.db = project.database.db
  }

  /** A statement compiled once per open project (see `ProjectDatabase.statement`): for the calls made per item. */
  private statement(sql: string) {
    return this.project.database.statement(sql)
  }

  /** Samples of a selection in export order, read in pages (never all in memory). */
  *iterateSamples(selection: BatchSelection, shard: Shard | null = null): Generator<BatchSample> {
    const where = selectionWhere(selection)
    const from = sampleFrom(selection.reference)
    const ids = this.db.prepare(`SELECT s.id ${from} ${where.sql} ${SAMPLE_ORDER}`).pluck().all(...where.args) as number[]
    for (const row of this.pages<SampleRow>(ids, (marks) => `SELECT ${SAMPLE_COLUMNS} ${from} WHERE s.id IN (${marks})`, (r) => r.sampleId)) {
      if (shard && shardOf(row.dataset, row.subject, row.name, shard.count) !== shard.index) continue
      yield toBatchSample(row)
    }
  }

  /**
   * Rows for `ids`, in that order, fetched PAGE at a time. The caller may await between rows
   * (streamed exports): no statement stays open meanwhile, so a batch running on the same
   * connection can keep committing.
   */
  private *pages<R>(ids: readonly number[], sql: (marks: string) => string, idOf: (row: R) => number): Generator<R> {
    for (let start = 0; start < ids.length; start += PAGE) {
      const page = ids.slice(start, start + PAGE)
      const rows = this.db.prepare(sql(page.map(() => '?').join(','))).all(...page) as R[]
      const byId = new Map(rows.map((r) => [idOf(r), r]))
      for (const id of page) {
        const row = byId.get(id)
        if (row) yield row
      }
    }
  }

  sample(sampleId: number, reference?: BatchReference): BatchSample {
    const row = this.statement(`SELECT ${SAMPLE_COLUMNS} ${sampleFrom(reference)} WHERE s.id = ?`).get(sampleId) as SampleRow | undefined
    if (!row) throw new StudioError('not-found', `Sample ${sampleId} is no longer in the project`)
    return toBatchSample(row)
  }

  modelSha256(modelRowId: number): string {
    const row = this.statement('SELECT sha256 FROM models WHERE id = ?').get(modelRowId) as { sha256: string } | undefined
    if (!row) throw new StudioError('not-found', `Model ${modelRowId} is no longer in the project`)
    return row.sha256
  }

  /**
   * Creates the job and its whole work list in one transaction, items in processing order
   * (sample-major, so models on the same recipe reuse the sample's features back to back).
   * A per-fold LOSO model gets only the samples of the group it held out.
   */
  createJob(params: Omit<BatchJobParams, 'modelRowIds'>, models: readonly PredictorModel[]): BatchJobRecord {
    const jobId = randomUUID()
    this.project.transaction(() => {
      const modelRowIds = models.map((m) =>
        addModel(this.project, { cardId: m.id, name: m.name, path: m.path, sha256: m.sha256, card: JSON.parse(m.cardJson) as unknown }),
      )
      const heldOut = models.map((m) => heldOutGroupsOf(m.protocol))
      const items: string[] = []
      for (const sample of this.iterateSamples(params.selection, params.shard)) {
        modelRowIds.forEach((modelRowId, m) => {
          if (!isHeldOutBy(heldOut[m]!, sample.dataset, sample.subject)) return
          items.push(`${sample.sampleId}|${modelRowId}`)
        })
      }
      const fullParams: BatchJobParams = { ...params, modelRowIds }
      createJob(this.project, { id: jobId, kind: BATCH_JOB_KIND, params: fullParams, items })
    })
    return this.job(jobId)
  }

  job(jobId: string): BatchJobRecord {
    const record = listJobs(this.project).find((j) => j.id === jobId && j.kind === BATCH_JOB_KIND)
    if (!record) throw new StudioError('not-found', `No batch job ${jobId} in this project`)
    const failed = (this.statement("SELECT count(*) AS n FROM job_items WHERE job_id = ? AND state = 'failed'").get(jobId) as { n: number }).n
    return {
      jobId: record.id,
      state: record.state,
      params: record.params as BatchJobParams,
      total: record.total,
      done: record.done,
      failed,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    }
  }

  /** Batch jobs, newest first. */
  listJobs(): BatchJobRecord[] {
    return listJobs(this.project)
      .filter((j) => j.kind === BATCH_JOB_KIND)
      .reverse()
      .map((j) => this.job(j.id))
  }

  setState(jobId: string, state: JobRecordState, error?: StudioErrorShape): void {
    setJobState(this.project, jobId, state, error)
  }

  /** The items still to do, in processing order. */
  pendingItems(jobId: string): PendingItem[] {
    return pendingJobItems(this.project, jobId).map((key) => {
      const [sampleId, modelRowId] = key.split('|')
      return { itemKey: key, sampleId: Number(sampleId), modelRowId: Number(modelRowId) }
    })
  }

  /** Commits a finished item and its prediction (or its error) in one transaction. */
  recordResult(jobId: string, item: PendingItem, model: PredictorModel, outcome: BatchOutcome): void {
    this.recordResults(jobId, [{ item, model, outcome }])
  }

  /**
   * Commits finished items with their predictions (or errors) in ONE transaction — one fsync for
   * the group (the batch's group commit): after a crash either the whole group is in the project
   * or none of it, so a resume recomputes at most that group and never duplicates a row.
   */
  recordResults(jobId: string, results: readonly BatchResult[]): void {
    if (results.length === 0) return
    this.project.transaction(() => {
      for (const { item, model, outcome } of results) {
        const common = { sampleId: item.sampleId, modelId: item.modelRowId, jobId, modelSha256: model.sha256, recipeId: model.recipeId }
        if (outcome.ok) {
          const p = outcome.prediction
          const id = recordPrediction(this.project, {
            ...common,
            executionProvider: p.provider,
            predictedClass: outcome.predictedClass,
            scores: Object.fromEntries(model.classes.map((c, i) => [c, p.probabilities[i]!])),
            timings: p.timings,
          })
          this.recordFramesUsed(id, p.frames, p.summaries)
        } else {
          recordPrediction(this.project, { ...common, executionProvider: outcome.provider, error: outcome.error })
        }
        markJobItem(this.project, jobId, item.itemKey, outcome.ok ? {} : { error: outcome.error })
      }
    })
  }

  /** The frames a recorded prediction used (and its per-frame summaries), for the exports. */
  recordFramesUsed(predictionId: number, frames: SamplePrediction['frames'], summaries?: readonly PredictionSummary[]): void {
    this.statement('UPDATE predictions SET onset_frame = ?, apex_frame = ?, offset_frame = ?, frames_source = ?, summaries_json = ? WHERE id = ?')
      .run(frames.onset, frames.apex, frames.offset, frames.source, summaries ? JSON.stringify(summaries) : null, predictionId)
  }

  /** Per-sample errors of a job, in export order. */
  itemErrors(jobId: string): BatchItemError[] {
    const rows = this.db
      .prepare(
        `SELECT p.sample_id AS sampleId, d.name AS dataset, s.subject AS subject, s.name AS sample, m.card_id AS modelId,
                p.error_code AS code, p.error_message AS message
         FROM predictions p JOIN samples s ON s.id = p.sample_id JOIN datasets d ON d.id = s.dataset_id JOIN models m ON m.id = p.model_id
         WHERE p.job_id = ? AND p.error_code IS NOT NULL ORDER BY d.name, s.subject, s.name, s.id, m.card_id`,
      )
      .all(jobId) as (Omit<BatchItemError, 'error'> & { code: StudioErrorShape['code']; message: string })[]
    return rows.map(({ code, message, ...rest }) => ({ ...rest, error: { code, message } }))
  }

  /**
   * A job's predictions in export order: dataset, subject, sample, then model card id and
   * sha256 — independent of row ids, so two projects that ran the same batch export the same rows.
   */
  *iteratePredictions(jobId: string): Generator<PredictionRow> {
    const ids = this.db
      .prepare(
        `SELECT p.id FROM predictions p JOIN samples s ON s.id = p.sample_id JOIN datasets d ON d.id = s.dataset_id JOIN models m ON m.id = p.model_id
         WHERE p.job_id = ? ORDER BY d.name, s.subject, s.name, s.id, m.card_id, p.model_sha256`,
      )
      .pluck()
      .all(jobId) as number[]
    yield* this.predictionRows(ids, this.job(jobId).params.selection.reference)
  }

  /** One recorded prediction (e.g. made in Inspect, from the coding `reference` names) as an export row. */
  prediction(predictionId: number, reference?: BatchReference): PredictionRow {
    const [row] = this.predictionRows([predictionId], reference)
    if (!row) throw new StudioError('not-found', `No prediction ${predictionId} in this project`)
    return row
  }

  private *predictionRows(ids: readonly number[], reference: BatchReference | undefined): Generator<PredictionRow> {
    const sql = (marks: string) =>
      `SELECT p.id AS predictionId, p.sample_id AS sampleId, d.name AS dataset, s.subject AS subject, s.name AS sample, s.clip_path AS clipPath, s.fps AS fps,
              p.onset_frame AS onset, p.apex_frame AS apex, p.offset_frame AS offset, p.frames_source AS framesSource,
              r.emotion AS codedEmotion, r.adjudicated AS refAdjudicated, rt.role AS refRole, rt.name AS refCoder,
              m.id AS modelRowId, m.card_id AS modelId, m.name AS modelName, m.card_json AS cardJson, p.model_sha256 AS modelSha256,
              p.execution_provider AS provider, p.recipe_id AS recipeId, p.predicted_class AS predictedClass, p.scores_json AS scoresJson,
              p.preprocess_ms AS preprocessMs, p.inference_ms AS inferenceMs, p.total_ms AS totalMs,
              p.error_code AS errorCode, p.error_message AS errorMessage, p.summaries_json AS summariesJson
       ${sampleFrom(reference)}
       JOIN predictions p ON p.sample_id = s.id JOIN models m ON m.id = p.model_id
       WHERE p.id IN (${marks})`
    const cards = new Map<number, CardFacts>()
    type Raw = Omit<PredictionRow, 'modelVersion' | 'modelClasses' | 'modelClassSet' | 'modelProtocol' | 'modelTrainingSubjects' | 'probabilities' | 'summaries' | 'framesCoding'> & {
      predictionId: number
      refAdjudicated: number | null
      refRole: string | null
      refCoder: string | null
      cardJson: string
      scoresJson: string | null
      summariesJson: string | null
    }
    for (const raw of this.pages<Raw>(ids, sql, (r) => r.predictionId)) {
      let facts = cards.get(raw.modelRowId)
      if (!facts) cards.set(raw.modelRowId, (facts = cardFacts(raw.cardJson)))
      const { predictionId: _id, cardJson: _card, scoresJson, summariesJson, refAdjudicated, refRole, refCoder, ...rest } = raw
      const scores = scoresJson === null ? null : (JSON.parse(scoresJson) as Record<string, number>)
      yield {
        ...rest,
        framesCoding: refRole === null ? null : framesCodingLabel({ adjudicated: refAdjudicated === 1, role: refRole, coder: refCoder ?? '' }),
        modelVersion: facts.version,
        modelClasses: facts.classes,
        modelClassSet: facts.classSet,
        modelProtocol: facts.protocol,
        modelTrainingSubjects: facts.trainingSubjects,
        probabilities: scores === null ? null : facts.classes.map((c) => scores[c] ?? Number.NaN),
        summaries: summariesJson === null ? null : (JSON.parse(summariesJson) as PredictionSummary[]),
      }
    }
  }

  /** The card facts of a job's models, in the job's model order. */
  jobModelFacts(jobId: string): CardFacts[] {
    const statement = this.db.prepare('SELECT card_json AS cardJson FROM models WHERE id = ?')
    return this.job(jobId).params.modelRowIds.map((rowId) => {
      const row = statement.get(rowId) as { cardJson: string } | undefined
      if (!row) throw new StudioError('not-found', `Model ${rowId} of job ${jobId} is no longer in the project`)
      return cardFacts(row.cardJson)
    })
  }

  /** Models known to the project by card id, for evaluating a predictions CSV against it. */
  modelsByCardId(): Map<string, CardFacts> {
    const rows = this.db.prepare('SELECT card_id AS id, card_json AS cardJson FROM models ORDER BY id').all() as { id: string; cardJson: string }[]
    return new Map(rows.map((r) => [r.id, cardFacts(r.cardJson)]))
  }
}

export type BatchOutcome = { ok: true; prediction: SamplePrediction; predictedClass: string } | { ok: false; error: StudioErrorShape; provider: string }

/** A finished item waiting to be committed. */
export interface BatchResult {
  item: PendingItem
  model: PredictorModel
  outcome: BatchOutcome
}

export interface BatchItemError {
  sampleId: number
  dataset: string
  subject: string
  sample: string
  modelId: string
  error: StudioErrorShape
}

export interface CardFacts {
  version: string
  classes: string[]
  /** `classSet` (how coded emotions become the classes), null when the card names none. */
  classSet: ClassSet | null
  protocol: string
  /** `training.subjects` ("DATASET/SUBJECT"), or null when the card does not record them. */
  trainingSubjects: string[] | null
}

/** The card fields exports and evaluation read, from the card JSON stored with the model. */
export function cardFacts(cardJson: string): CardFacts {
  const card = JSON.parse(cardJson) as { version?: unknown; classes?: unknown; classSet?: unknown; training?: { protocol?: unknown; subjects?: unknown } }
  return {
    version: typeof card.version === 'string' ? card.version : '',
    classes: Array.isArray(card.classes) ? card.classes.map(String) : [],
    classSet: ModelCardSchema.shape.classSet.safeParse(card.classSet).data ?? null,
    protocol: typeof card.training?.protocol === 'string' ? card.training.protocol : '',
    trainingSubjects: Array.isArray(card.training?.subjects) ? card.training.subjects.map(String) : null,
  }
}
