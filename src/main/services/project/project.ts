import { basename, isAbsolute, join, relative } from 'node:path'
import { formatAus, parseAus } from '@shared/domain/au'
import {
  AnnotationFieldsSchema,
  type Annotation,
  type AnnotationFields,
  type Annotator,
  type AnnotatorRole,
} from '@shared/domain/annotation'
import { ImportProblemSchema, type ClipInfo, type DatasetFormat, type ImportProblem } from '@shared/domain/dataset'
import type { DatasetRecord, SampleRecord } from '@shared/domain/project'
import { StudioError } from '@shared/ipc/errors'
import { ProjectDatabase, type OpenProjectOptions } from './database'
import { isInsideFolder } from '../path-inside'

/** Which annotation of a sample: one per coder, plus the sample's adjudicated one. */
export interface AnnotationKey {
  sampleId: number
  annotatorId: number
  adjudicated: boolean
}

export interface NewDataset {
  name: string
  root: string
  format: DatasetFormat
  fps: number
  labelsPath: string | null
  problems: ImportProblem[]
}

export interface NewSample {
  subject: string
  name: string
  clip: ClipInfo
  folderLabel?: string | undefined
}

interface SampleRow {
  id: number
  dataset_id: number
  subject: string
  name: string
  clip_kind: 'video' | 'frames'
  clip_path: string
  fps: number
  frame_count: number
  first_frame: number | null
  last_frame: number | null
  width: number
  height: number
  frame_numbers: string | null
  files: string | null
  folder_label: string | null
  root: string
}

export interface AnnotationRow {
  id: number
  sample_id: number
  annotator_id: number
  adjudicated: 0 | 1
  onset_frame: number | null
  apex_frame: number | null
  offset_frame: number | null
  aus: string
  emotion: string | null
  objective_class: string | null
  notes: string
  confidence: number | null
  status: 'draft' | 'done'
  created_at: string
  updated_at: string
}

const now = () => new Date().toISOString()

/**
 * Typed access to one open project file. Every method that writes is a single statement or
 * wraps its statements in one transaction; callers compose user actions with `transaction`.
 */
export class Project {
  private constructor(readonly database: ProjectDatabase) {}

  static async open(file: string, options: OpenProjectOptions = {}): Promise<Project> {
    return new Project(await ProjectDatabase.open(file, options))
  }

  get path(): string {
    return this.database.path
  }

  get name(): string {
    return this.getMeta('name') ?? basename(this.path).replace(/\.[^.]+$/, '')
  }

  transaction<T>(work: () => T): T {
    return this.database.transaction(work)
  }

  close(): void {
    this.database.close()
  }

  /** A statement compiled once per open project (see `ProjectDatabase.statement`). */
  private statement(sql: string) {
    return this.database.statement(sql)
  }

  getMeta(key: string): string | null {
    const row = this.statement('SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined
    return row?.value ?? null
  }

  setMeta(key: string, value: string): void {
    this.statement('INSERT INTO project_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
  }

  // ---- datasets --------------------------------------------------------------------------

  listDatasets(): DatasetRecord[] {
    const rows = this.database
      .statement(
        `SELECT d.*, (SELECT count(*) FROM samples s WHERE s.dataset_id = d.id) AS sample_count,
                (SELECT count(DISTINCT subject) FROM samples s WHERE s.dataset_id = d.id) AS subject_count
         FROM datasets d ORDER BY d.id`,
      )
      .all() as DatasetRowWithCounts[]
    return rows.map(toDatasetRecord)
  }

  datasetByRoot(root: string): DatasetRecord | undefined {
    return this.listDatasets().find((d) => d.root === root)
  }

  insertDataset(dataset: NewDataset): number {
    const info = this.database
      .statement('INSERT INTO datasets(name, root, format, fps, labels_path, imported_at, problems_json) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(dataset.name, dataset.root, dataset.format, dataset.fps, dataset.labelsPath, now(), JSON.stringify(dataset.problems))
    return Number(info.lastInsertRowid)
  }

  /** Removes a dataset with its samples and everything coded or predicted on them (cascades). */
  deleteDataset(id: number): boolean {
    return this.statement('DELETE FROM datasets WHERE id = ?').run(id).changes > 0
  }

  // ---- samples ---------------------------------------------------------------------------

  insertSample(datasetId: number, root: string, sample: NewSample): number {
    const { clip } = sample
    const first = clip.frameNumbers[0] ?? null
    const last = clip.frameNumbers[clip.frameNumbers.length - 1] ?? null
    const contiguous = first !== null && last !== null && last - first + 1 === clip.frameNumbers.length
    const info = this.database
      .statement(
        `INSERT INTO samples(dataset_id, subject, name, clip_kind, clip_path, fps, frame_count, first_frame, last_frame,
                             width, height, frame_numbers, files, folder_label)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        datasetId,
        sample.subject,
        sample.name,
        clip.kind,
        portablePath(root, clip.path),
        clip.fps,
        clip.frameCount,
        first,
        last,
        clip.width,
        clip.height,
        contiguous ? null : JSON.stringify(clip.frameNumbers),
        clip.files ? JSON.stringify(clip.files) : null,
        sample.folderLabel ?? null,
      )
    return Number(info.lastInsertRowid)
  }

  getSample(id: number): SampleRecord {
    const row = this.statement(`${SAMPLE_SELECT} WHERE s.id = ?`).get(id) as SampleRow | undefined
    if (!row) throw new StudioError('not-found', `No sample ${id} in this project`)
    return toSampleRecord(row)
  }

  sampleByName(datasetId: number, subject: string, name: string): SampleRecord | undefined {
    const row = this.statement(`${SAMPLE_SELECT} WHERE s.dataset_id = ? AND s.subject = ? AND s.name = ?`).get(datasetId, subject, name) as
      | SampleRow
      | undefined
    return row ? toSampleRecord(row) : undefined
  }

  /** Samples in browsing order (dataset, subject, name). */
  listSampleRows(datasetId?: number): SampleRecord[] {
    const rows = (
      datasetId === undefined
        ? this.statement(`${SAMPLE_SELECT} ORDER BY s.dataset_id, s.subject, s.name`).all()
        : this.statement(`${SAMPLE_SELECT} WHERE s.dataset_id = ? ORDER BY s.subject, s.name`).all(datasetId)
    ) as SampleRow[]
    return rows.map(toSampleRecord)
  }

  // ---- annotators ------------------------------------------------------------------------

  listAnnotators(): Annotator[] {
    return (this.statement('SELECT * FROM annotators ORDER BY id').all() as AnnotatorRow[]).map(toAnnotator)
  }

  getAnnotator(id: number): Annotator {
    const row = this.statement('SELECT * FROM annotators WHERE id = ?').get(id) as AnnotatorRow | undefined
    if (!row) throw new StudioError('not-found', `No annotator ${id} in this project`)
    return toAnnotator(row)
  }

  annotatorByName(name: string): Annotator | undefined {
    const row = this.statement('SELECT * FROM annotators WHERE name = ?').get(name) as AnnotatorRow | undefined
    return row ? toAnnotator(row) : undefined
  }

  createAnnotator(name: string, role: AnnotatorRole, initials = ''): Annotator {
    const trimmed = name.trim()
    if (trimmed === '') throw new StudioError('invalid-input', 'An annotator needs a name')
    if (this.annotatorByName(trimmed)) throw new StudioError('conflict', `An annotator named "${trimmed}" already exists`)
    const info = this.statement('INSERT INTO annotators(name, initials, role, created_at) VALUES (?, ?, ?, ?)').run(trimmed, initials, role, now())
    return this.getAnnotator(Number(info.lastInsertRowid))
  }

  /** The annotator with this name, created with `role` if absent. */
  ensureAnnotator(name: string, role: AnnotatorRole): Annotator {
    return this.annotatorByName(name.trim()) ?? this.createAnnotator(name, role)
  }

  // ---- annotations -----------------------------------------------------------------------

  getAnnotation(key: AnnotationKey): Annotation | null {
    const row = this.database
      .statement('SELECT * FROM annotations WHERE sample_id = ? AND annotator_id = ? AND adjudicated = ?')
      .get(key.sampleId, key.annotatorId, key.adjudicated ? 1 : 0) as AnnotationRow | undefined
    return row ? toAnnotation(row) : null
  }

  getAnnotationById(id: number): Annotation {
    const row = this.statement('SELECT * FROM annotations WHERE id = ?').get(id) as AnnotationRow | undefined
    if (!row) throw new StudioError('not-found', `No annotation ${id} in this project`)
    return toAnnotation(row)
  }

  annotationsForSample(sampleId: number): Annotation[] {
    return (this.statement('SELECT * FROM annotations WHERE sample_id = ? ORDER BY adjudicated, annotator_id').all(sampleId) as AnnotationRow[]).map(
      toAnnotation,
    )
  }

  /** Every annotation of a dataset (or the project), ordered by sample. */
  allAnnotations(datasetId?: number): Annotation[] {
    const rows = (
      datasetId === undefined
        ? this.statement('SELECT a.* FROM annotations a ORDER BY a.sample_id, a.adjudicated, a.annotator_id').all()
        : this.database
            .statement(
              'SELECT a.* FROM annotations a JOIN samples s ON s.id = a.sample_id WHERE s.dataset_id = ? ORDER BY a.sample_id, a.adjudicated, a.annotator_id',
            )
            .all(datasetId)
    ) as AnnotationRow[]
    return rows.map(toAnnotation)
  }

  /** Writes the annotation's fields (insert or update) and its AU rows; returns it. Call inside a transaction. */
  putAnnotation(key: AnnotationKey, fields: AnnotationFields): Annotation {
    const f = AnnotationFieldsSchema.parse(fields)
    const stamp = now()
    this.database
      .statement(
        `INSERT INTO annotations(sample_id, annotator_id, adjudicated, onset_frame, apex_frame, offset_frame, aus, emotion,
                                 objective_class, notes, confidence, status, created_at, updated_at)
         VALUES (@sampleId, @annotatorId, @adjudicated, @onset, @apex, @offset, @aus, @emotion, @objectiveClass, @notes,
                 @confidence, @status, @stamp, @stamp)
         ON CONFLICT(sample_id, annotator_id, adjudicated) DO UPDATE SET
           onset_frame = excluded.onset_frame, apex_frame = excluded.apex_frame, offset_frame = excluded.offset_frame,
           aus = excluded.aus, emotion = excluded.emotion, objective_class = excluded.objective_class, notes = excluded.notes,
           confidence = excluded.confidence, status = excluded.status, updated_at = excluded.updated_at`,
      )
      .run({
        sampleId: key.sampleId,
        annotatorId: key.annotatorId,
        adjudicated: key.adjudicated ? 1 : 0,
        onset: f.onset,
        apex: f.apex,
        offset: f.offset,
        aus: formatAus(f.aus),
        emotion: f.emotion,
        objectiveClass: f.objectiveClass,
        notes: f.notes,
        confidence: f.confidence,
        status: f.status,
        stamp,
      })
    const saved = this.getAnnotation(key)!
    this.statement('DELETE FROM annotation_aus WHERE annotation_id = ?').run(saved.id)
    const insertAu = this.statement('INSERT INTO annotation_aus(annotation_id, alternative, position, au, side, intensity) VALUES (?, ?, ?, ?, ?, ?)')
    f.aus.alternatives.forEach((codes, alternative) =>
      codes.forEach((c, position) => insertAu.run(saved.id, alternative, position, c.au, c.side, c.intensity)),
    )
    return saved
  }

  deleteAnnotation(key: AnnotationKey): void {
    this.database
      .statement('DELETE FROM annotations WHERE sample_id = ? AND annotator_id = ? AND adjudicated = ?')
      .run(key.sampleId, key.annotatorId, key.adjudicated ? 1 : 0)
  }
}

// ---- row mapping -----------------------------------------------------------------------------

const SAMPLE_SELECT = 'SELECT s.*, d.root AS root FROM samples s JOIN datasets d ON d.id = s.dataset_id'

interface DatasetRowWithCounts {
  id: number
  name: string
  root: string
  format: DatasetFormat
  fps: number
  labels_path: string | null
  imported_at: string
  problems_json: string
  sample_count: number
  subject_count: number
}

interface AnnotatorRow {
  id: number
  name: string
  initials: string
  role: AnnotatorRole
  created_at: string
}

function toDatasetRecord(r: DatasetRowWithCounts): DatasetRecord {
  return {
    id: r.id,
    name: r.name,
    root: r.root,
    format: r.format,
    fps: r.fps,
    labelsPath: r.labels_path,
    importedAt: r.imported_at,
    problems: ImportProblemSchema.array().parse(JSON.parse(r.problems_json)),
    sampleCount: r.sample_count,
    subjectCount: r.subject_count,
  }
}

/** Clip paths are stored relative to the dataset root, so a moved dataset needs only its root updated. */
function portablePath(root: string, path: string): string {
  return isInsideFolder(root, path) ? relative(root, path) : path
}

function toSampleRecord(r: SampleRow): SampleRecord {
  const frameNumbers: number[] = r.frame_numbers
    ? (JSON.parse(r.frame_numbers) as number[])
    : r.first_frame === null
      ? []
      : Array.from({ length: r.frame_count }, (_, i) => r.first_frame! + i)
  const clip: ClipInfo = {
    kind: r.clip_kind,
    path: isAbsolute(r.clip_path) ? r.clip_path : join(r.root, r.clip_path),
    fps: r.fps,
    frameCount: r.frame_count,
    width: r.width,
    height: r.height,
    frameNumbers,
  }
  if (r.files) clip.files = JSON.parse(r.files) as string[]
  return {
    id: r.id,
    datasetId: r.dataset_id,
    subject: r.subject,
    name: r.name,
    clip,
    firstFrame: r.first_frame,
    lastFrame: r.last_frame,
    folderLabel: r.folder_label,
  }
}

function toAnnotator(r: AnnotatorRow): Annotator {
  return { id: r.id, name: r.name, initials: r.initials, role: r.role, createdAt: r.created_at }
}

export function toAnnotation(r: AnnotationRow): Annotation {
  return {
    id: r.id,
    sampleId: r.sample_id,
    annotatorId: r.annotator_id,
    adjudicated: r.adjudicated === 1,
    onset: r.onset_frame,
    apex: r.apex_frame,
    offset: r.offset_frame,
    aus: parseAus(r.aus).value,
    emotion: r.emotion,
    objectiveClass: r.objective_class,
    notes: r.notes,
    confidence: r.confidence,
    status: r.status,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

