import type { StudioErrorShape } from '@shared/ipc'
import type { Project } from './project'

/**
 * Models, predictions and resumable jobs in the project file. A batch records its items when it
 * starts; each finished item is marked in its own transaction, so after a crash or a restart the
 * batch resumes with `pendingJobItems` instead of starting over.
 */

export interface ModelEntry {
  cardId: string
  name: string
  path: string
  sha256: string
  card: unknown
}

export interface PredictionEntry {
  sampleId: number
  modelId: number
  jobId?: string | null
  executionProvider: string
  modelSha256: string
  recipeId: string
  /** Exactly one of `predictedClass` (+ scores) and `error` is set. */
  predictedClass?: string | null
  scores?: Record<string, number> | null
  timings?: { preprocessMs?: number; inferenceMs?: number; totalMs?: number }
  error?: StudioErrorShape | null
}

export interface PredictionRecord extends Required<Omit<PredictionEntry, 'timings'>> {
  id: number
  preprocessMs: number | null
  inferenceMs: number | null
  totalMs: number | null
  createdAt: string
}

export type JobRecordState = 'queued' | 'running' | 'paused' | 'completed' | 'cancelled' | 'failed'

export interface JobRecord {
  id: string
  kind: string
  state: JobRecordState
  params: unknown
  total: number
  done: number
  error: StudioErrorShape | null
  createdAt: string
  updatedAt: string
}

const now = () => new Date().toISOString()

/** Registers a model (by card id + sha256) and returns its row id; the same model twice gives the same id. */
export function addModel(project: Project, model: ModelEntry): number {
  const db = project.database
  db.statement(
    `INSERT INTO models(card_id, name, path, sha256, card_json, added_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(card_id, sha256) DO UPDATE SET name = excluded.name, path = excluded.path, card_json = excluded.card_json`,
  ).run(model.cardId, model.name, model.path, model.sha256, JSON.stringify(model.card), now())
  return (db.statement('SELECT id FROM models WHERE card_id = ? AND sha256 = ?').get(model.cardId, model.sha256) as { id: number }).id
}

export function recordPrediction(project: Project, p: PredictionEntry): number {
  const info = project.database
    .statement(
      `INSERT INTO predictions(sample_id, model_id, job_id, execution_provider, model_sha256, recipe_id, predicted_class, scores_json,
                               preprocess_ms, inference_ms, total_ms, error_code, error_message, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      p.sampleId,
      p.modelId,
      p.jobId ?? null,
      p.executionProvider,
      p.modelSha256,
      p.recipeId,
      p.error ? null : (p.predictedClass ?? null),
      p.scores ? JSON.stringify(p.scores) : null,
      p.timings?.preprocessMs ?? null,
      p.timings?.inferenceMs ?? null,
      p.timings?.totalMs ?? null,
      p.error?.code ?? null,
      p.error?.message ?? null,
      now(),
    )
  return Number(info.lastInsertRowid)
}

interface PredictionRow {
  id: number
  sample_id: number
  model_id: number
  job_id: string | null
  execution_provider: string
  model_sha256: string
  recipe_id: string
  predicted_class: string | null
  scores_json: string | null
  preprocess_ms: number | null
  inference_ms: number | null
  total_ms: number | null
  error_code: string | null
  error_message: string | null
  created_at: string
}

export function listPredictions(project: Project, filter: { sampleId?: number; modelId?: number; jobId?: string } = {}): PredictionRecord[] {
  const rows = project.database
    .statement(
      `SELECT * FROM predictions WHERE (@sampleId IS NULL OR sample_id = @sampleId) AND (@modelId IS NULL OR model_id = @modelId)
         AND (@jobId IS NULL OR job_id = @jobId) ORDER BY id`,
    )
    .all({ sampleId: filter.sampleId ?? null, modelId: filter.modelId ?? null, jobId: filter.jobId ?? null }) as PredictionRow[]
  return rows.map((r) => ({
    id: r.id,
    sampleId: r.sample_id,
    modelId: r.model_id,
    jobId: r.job_id,
    executionProvider: r.execution_provider,
    modelSha256: r.model_sha256,
    recipeId: r.recipe_id,
    predictedClass: r.predicted_class,
    scores: r.scores_json ? (JSON.parse(r.scores_json) as Record<string, number>) : null,
    preprocessMs: r.preprocess_ms,
    inferenceMs: r.inference_ms,
    totalMs: r.total_ms,
    error: r.error_code ? ({ code: r.error_code, message: r.error_message ?? '' } as StudioErrorShape) : null,
    createdAt: r.created_at,
  }))
}

// ---- jobs ------------------------------------------------------------------------------------

/** Records a job and its items (all pending) in one transaction. */
export function createJob(project: Project, job: { id: string; kind: string; params: unknown; items: readonly string[] }): void {
  const db = project.database
  project.transaction(() => {
    const stamp = now()
    db.statement('INSERT INTO jobs(id, kind, state, params_json, total, done, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)').run(
      job.id,
      job.kind,
      'running',
      JSON.stringify(job.params ?? {}),
      job.items.length,
      stamp,
      stamp,
    )
    const insert = db.statement("INSERT INTO job_items(job_id, item_key, state, updated_at) VALUES (?, ?, 'pending', ?)")
    for (const item of job.items) insert.run(job.id, item, stamp)
  })
}

/** Marks one item finished (or failed) and bumps the job's done count, in one transaction. */
export function markJobItem(project: Project, jobId: string, item: string, outcome: { error?: StudioErrorShape }): void {
  const db = project.database
  project.transaction(() => {
    const stamp = now()
    db.statement('UPDATE job_items SET state = ?, error_json = ?, updated_at = ? WHERE job_id = ? AND item_key = ?').run(
      outcome.error ? 'failed' : 'done',
      outcome.error ? JSON.stringify(outcome.error) : null,
      stamp,
      jobId,
      item,
    )
    db.statement("UPDATE jobs SET done = (SELECT count(*) FROM job_items WHERE job_id = ? AND state <> 'pending'), updated_at = ? WHERE id = ?").run(
      jobId,
      stamp,
      jobId,
    )
  })
}

export function setJobState(project: Project, jobId: string, state: JobRecordState, error?: StudioErrorShape): void {
  project.database.statement('UPDATE jobs SET state = ?, error_json = ?, updated_at = ? WHERE id = ?').run(state, error ? JSON.stringify(error) : null, now(), jobId)
}

export function pendingJobItems(project: Project, jobId: string): string[] {
  return (project.database.statement("SELECT item_key FROM job_items WHERE job_id = ? AND state = 'pending' ORDER BY rowid").all(jobId) as { item_key: string }[]).map(
    (r) => r.item_key,
  )
}

interface JobRow {
  id: string
  kind: string
  state: JobRecordState
  params_json: string
  total: number
  done: number
  error_json: string | null
  created_at: string
  updated_at: string
}

export function listJobs(project: Project): JobRecord[] {
  return (project.database.statement('SELECT * FROM jobs ORDER BY created_at').all() as JobRow[]).map((r) => ({
    id: r.id,
    kind: r.kind,
    state: r.state,
    params: JSON.parse(r.params_json) as unknown,
    total: r.total,
    done: r.done,
    error: r.error_json ? (JSON.parse(r.error_json) as StudioErrorShape) : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }))
}

/** Jobs that were running when the process ended: they can be resumed from their pending items. */
export function interruptedJobs(project: Project): JobRecord[] {
  return listJobs(project).filter((j) => j.state === 'running' || j.state === 'queued' || j.state === 'paused')
}
