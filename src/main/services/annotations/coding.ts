import { isDeepStrictEqual } from 'node:util'
import {
  AnnotationFieldsSchema,
  EMPTY_ANNOTATION_FIELDS,
  annotationFields,
  deriveSampleStatus,
  validateAnnotation,
  type Annotation,
  type AnnotationFields,
  type AnnotationIssue,
  type AnnotationPatch,
  type Annotator,
  type AnnotatorRole,
  type SampleStatus,
} from '@shared/domain/annotation'
import type { SampleFilter, SampleRecord, SampleSummary } from '@shared/domain/project'
import { StudioError } from '@shared/ipc/errors'
import type { AnnotationKey, Project } from '../project/project'
import { agreementReport, type AgreementReport } from './agreement-report'
import { AnnotationSnapshot } from './annotation-snapshot'
import { SampleIndex, type PositionedSample, type SampleWindow, type StatusCounts } from './sample-index'

/** Where an undo/redo applies: one coder's (or the adjudicator's) annotation of one sample. */
export interface HistoryScope {
  annotatorId: number
  sampleId: number
  adjudicated?: boolean
}

export interface HistoryState {
  canUndo: boolean
  canRedo: boolean
  /** The action the next undo / redo would revert / replay (`set onset`, `set AUs`…). */
  undoAction: string | null
  redoAction: string | null
}

export interface CommandResult {
  annotation: Annotation | null
  issues: AnnotationIssue[]
  history: HistoryState
  /** False when the command changed nothing (no history entry written). */
  changed: boolean
}

export interface SampleCoding {
  sampleId: number
  status: SampleStatus
  mine: Annotation | null
  visible: Annotation[]
  issues: AnnotationIssue[]
  history: HistoryState
}

export type AdjudicationChoice = { accept: number } | { merge: AnnotationFields }

interface HistoryRow {
  id: number
  action: string
  before_json: string | null
  after_json: string | null
}

const BLIND_MODE_KEY = 'blind_mode'

/**
 * The coding back end: every user action is one command = one transaction that writes the
 * annotation and one history row. Undo/redo walk the history table, so they survive restarts.
 * A new command discards the redo entries of its scope, like any editor.
 */
export class CodingService {
  /** The dataset browser's queries (windows, counts, navigation). */
  readonly index: SampleIndex
  /** Every coding, parsed once and kept current per edited sample, for project-wide figures. */
  private readonly snapshot: AnnotationSnapshot

  constructor(readonly project: Project) {
    this.index = new SampleIndex(project)
    this.snapshot = AnnotationSnapshot.of(project)
  }

  /** Agreement between coders over a dataset (or the project): see `agreementReport`. */
  agreementReport(options: { datasetId?: number; annotatorIds?: number[] } = {}): AgreementReport {
    return agreementReport(this.project, this.snapshot, options)
  }

  /** A statement compiled once per open project (see `ProjectDatabase.statement`). */
  private statement(sql: string) {
    return this.project.database.statement(sql)
  }

  // ---- annotators ----------------------------------------------------------------------

  listAnnotators(): Annotator[] {
    return this.project.listAnnotators()
  }

  createAnnotator(name: string, role: AnnotatorRole = 'coder', initials = ''): Annotator {
    return this.project.transaction(() => this.project.createAnnotator(name, role, initials))
  }

  // ---- blind mode ----------------------------------------------------------------------

  get blindMode(): boolean {
    return this.project.getMeta(BLIND_MODE_KEY) === '1'
  }

  setBlindMode(on: boolean): void {
    this.project.transaction(() => this.project.setMeta(BLIND_MODE_KEY, on ? '1' : '0'))
  }

  /**
   * The annotations of a sample `viewerId` may see. In blind mode a coder sees only their own
   * until the sample is adjudicated; adjudicators always see every coding.
   */
  visibleAnnotations(sampleId: number, viewerId: number): Annotation[] {
    const all = this.project.annotationsForSample(sampleId)
    return this.filterVisible(all, this.project.getAnnotator(viewerId))
  }

  private filterVisible(annotations: Annotation[], viewer: Annotator): Annotation[] {
    if (!this.blindMode || viewer.role === 'adjudicator') return annotations
    if (annotations.some((a) => a.adjudicated)) return annotations
    return annotations.filter((a) => a.annotatorId === viewer.id)
  }

  // ---- commands ------------------------------------------------------------------------

  /** Applies a patch to the coder's annotation of a sample as one undoable action. */
  update(sampleId: number, annotatorId: number, patch: AnnotationPatch, action = describePatch(patch)): CommandResult {
    const annotator = this.project.getAnnotator(annotatorId)
    if (annotator.role === 'dataset') throw new StudioError('invalid-input', `"${annotator.name}" holds the dataset's own labels, which are read-only`)
    return this.apply({ sampleId, annotatorId, adjudicated: false }, action, (before) => ({ ...before, ...patch }))
  }

  /** Clears the coder's annotation of a sample (undoable). */
  clear(sampleId: number, annotatorId: number): CommandResult {
    return this.apply({ sampleId, annotatorId, adjudicated: false }, 'clear', () => null)
  }

  /** Stores the sample's adjudicated coding: one coder's annotation accepted as is, or a merge. */
  adjudicate(sampleId: number, adjudicatorId: number, choice: AdjudicationChoice): CommandResult {
    const adjudicator = this.project.getAnnotator(adjudicatorId)
    if (adjudicator.role === 'dataset') throw new StudioError('invalid-input', 'The dataset labels cannot adjudicate')
    let fields: AnnotationFields
    let action: string
    if ('accept' in choice) {
      const source = this.project.getAnnotationById(choice.accept)
      if (source.sampleId !== sampleId) throw new StudioError('invalid-input', `Annotation ${choice.accept} belongs to another sample`)
      fields = annotationFields(source)
      action = `accept ${this.project.getAnnotator(source.annotatorId).name}`
    } else {
      fields = choice.merge
      action = 'merge'
    }
    return this.apply({ sampleId, annotatorId: adjudicatorId, adjudicated: true }, action, () => fields)
  }

  /**
   * Replaces a whole annotation (import of codes): one undoable action per annotation, and
   * nests inside the caller's transaction so a whole file imports atomically.
   */
  replace(key: AnnotationKey, fields: AnnotationFields, action: string): CommandResult {
    return this.apply(key, action, () => fields)
  }

  private apply(key: AnnotationKey, action: string, next: (before: AnnotationFields) => AnnotationFields | null): CommandResult {
    const sample = this.project.getSample(key.sampleId)
    return this.project.transaction(() => {
      const current = this.project.getAnnotation(key)
      const before = current ? annotationFields(current) : null
      const proposed = next(before ?? EMPTY_ANNOTATION_FIELDS)
      const after = proposed === null ? null : AnnotationFieldsSchema.parse(proposed)
      if (isDeepStrictEqual(before, after)) return this.result(key, sample, current, false)
      const saved = after === null ? (this.project.deleteAnnotation(key), null) : this.project.putAnnotation(key, after)
      this.project.database
        .statement('DELETE FROM annotation_history WHERE annotator_id = ? AND sample_id = ? AND adjudicated = ? AND undone = 1')
        .run(key.annotatorId, key.sampleId, key.adjudicated ? 1 : 0)
      this.project.database
        .statement(
          'INSERT INTO annotation_history(sample_id, annotator_id, adjudicated, action, before_json, after_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(key.sampleId, key.annotatorId, key.adjudicated ? 1 : 0, action, json(before), json(after), new Date().toISOString())
      return this.result(key, sample, saved, true)
    })
  }

  undo(scope: HistoryScope): CommandResult {
    return this.step(scope, 'undo')
  }

  redo(scope: HistoryScope): CommandResult {
    return this.step(scope, 'redo')
  }

  private step(scope: HistoryScope, direction: 'undo' | 'redo'): CommandResult {
    const key: AnnotationKey = { sampleId: scope.sampleId, annotatorId: scope.annotatorId, adjudicated: scope.adjudicated ?? false }
    const sample = this.project.getSample(key.sampleId)
    return this.project.transaction(() => {
      const row = this.historyRow(key, direction)
      if (!row) return this.result(key, sample, this.project.getAnnotation(key), false)
      const target = direction === 'undo' ? row.before_json : row.after_json
      const saved = target === null ? (this.project.deleteAnnotation(key), null) : this.project.putAnnotation(key, JSON.parse(target) as AnnotationFields)
      this.statement('UPDATE annotation_history SET undone = ? WHERE id = ?').run(direction === 'undo' ? 1 : 0, row.id)
      return this.result(key, sample, saved, true)
    })
  }

  /** Undo takes the newest applied entry; redo the oldest undone one (the last undone). */
  private historyRow(key: AnnotationKey, direction: 'undo' | 'redo'): HistoryRow | undefined {
    const sql =
      direction === 'undo'
        ? 'SELECT * FROM annotation_history WHERE annotator_id = ? AND sample_id = ? AND adjudicated = ? AND undone = 0 ORDER BY id DESC LIMIT 1'
        : 'SELECT * FROM annotation_history WHERE annotator_id = ? AND sample_id = ? AND adjudicated = ? AND undone = 1 ORDER BY id ASC LIMIT 1'
    return this.statement(sql).get(key.annotatorId, key.sampleId, key.adjudicated ? 1 : 0) as HistoryRow | undefined
  }

  historyState(scope: HistoryScope): HistoryState {
    const key: AnnotationKey = { sampleId: scope.sampleId, annotatorId: scope.annotatorId, adjudicated: scope.adjudicated ?? false }
    const undo = this.historyRow(key, 'undo')
    const redo = this.historyRow(key, 'redo')
    return { canUndo: undo !== undefined, canRedo: redo !== undefined, undoAction: undo?.action ?? null, redoAction: redo?.action ?? null }
  }

  /** Validation issues of a saved annotation against its clip (order, range, duration, apex). */
  validate(annotation: Annotation): AnnotationIssue[] {
    return validateAnnotation(annotationFields(annotation), clipTiming(this.project.getSample(annotation.sampleId)))
  }

  private result(key: AnnotationKey, sample: SampleRecord, annotation: Annotation | null, changed: boolean): CommandResult {
    return {
      annotation,
      issues: annotation ? validateAnnotation(annotationFields(annotation), clipTiming(sample)) : [],
      history: this.historyState(key),
      changed,
    }
  }

  // ---- browsing ------------------------------------------------------------------------

  /** Dataset browser rows: status (from coders' and adjudicated codings), filters, viewer's own coding. */
  listSamples(filter: SampleFilter = {}, viewerId?: number): SampleSummary[] {
    return this.index.list(filter, viewerId)
  }

  /** A window of the filtered list; with `facets` the dataset's status counts and subjects, with `sampleId` that sample's row and index. */
  sampleWindow(
    filter: SampleFilter,
    viewerId: number | undefined,
    options: { offset: number; limit: number; facets?: boolean; sampleId?: number },
  ): SampleWindow {
    const window = this.index.window(filter, viewerId, options.offset, options.limit)
    return {
      ...window,
      facets: options.facets ? { counts: this.index.counts(filter.datasetId, viewerId), subjects: this.index.subjects(filter.datasetId) } : null,
      current: options.sampleId === undefined ? null : this.index.locate(options.sampleId, filter, viewerId),
    }
  }

  /** N / Shift+N: `nearestUncoded` with the sample's row and index in the filtered list. */
  nextUncoded(annotatorId: number, fromSampleId: number | null, direction: 'next' | 'previous', filter: SampleFilter): { sampleId: number | null; at: PositionedSample | null } {
    const sampleId = this.nearestUncoded(annotatorId, fromSampleId, direction, filter)
    return { sampleId, at: sampleId === null ? null : this.index.locate(sampleId, filter, annotatorId) }
  }

  /** J/K: the sample after (before) `fromSampleId` in the filtered list, wrapping around, with its index. */
  neighbour(fromSampleId: number | null, direction: 'next' | 'previous', filter: SampleFilter, viewerId?: number): { sampleId: number | null; at: PositionedSample | null } {
    const sampleId = this.index.step(fromSampleId, direction, filter, viewerId)
    return { sampleId, at: sampleId === null ? null : this.index.locate(sampleId, filter, viewerId) }
  }

  /** What `event:samples.updated` carries after `viewerId` changed the sample: its row and the dataset's counts as they see them. */
  sampleUpdate(sampleId: number, viewerId: number): { viewerId: number; row: SampleSummary; counts: StatusCounts } {
    const row = this.index.row(sampleId, viewerId)
    if (!row) throw new StudioError('not-found', `No sample ${sampleId} in this project`)
    return { viewerId, row, counts: this.index.counts(row.datasetId, viewerId) }
  }

  /** Everything the coding panel shows for one sample, as `viewerId` may see it. */
  sampleCoding(sampleId: number, viewerId: number): SampleCoding {
    const visible = this.visibleAnnotations(sampleId, viewerId)
    const annotators = new Map(this.project.listAnnotators().map((a) => [a.id, a]))
    const mine = visible.find((a) => a.annotatorId === viewerId && !a.adjudicated) ?? null
    return {
      sampleId,
      status: this.statusFor(visible, annotators),
      mine,
      visible,
      issues: mine ? this.validate(mine) : [],
      history: this.historyState({ sampleId, annotatorId: viewerId }),
    }
  }

  /** Status from what the viewer may see; the dataset's own labels do not make a sample "coded". */
  private statusFor(visible: Annotation[], annotators: Map<number, Annotator>): SampleStatus {
    return deriveSampleStatus(
      visible
        .filter((a) => a.adjudicated || annotators.get(a.annotatorId)?.role === 'coder')
        .map((a) => ({ adjudicated: a.adjudicated, fields: annotationFields(a) })),
    )
  }

  /** The next (or previous) sample after `fromSampleId`, in browsing order, that this coder has not coded. */
  nearestUncoded(annotatorId: number, fromSampleId: number | null, direction: 'next' | 'previous', filter: SampleFilter = {}): number | null {
    return this.index.step(fromSampleId, direction, filter, annotatorId, annotatorId)
  }
}

export function clipTiming(sample: SampleRecord) {
  return { fps: sample.clip.fps, firstFrame: sample.firstFrame, lastFrame: sample.lastFrame }
}

function json(fields: AnnotationFields | null): string | null {
  return fields === null ? null : JSON.stringify(fields)
}

const FIELD_LABELS: Record<keyof AnnotationFields, string> = {
  onset: 'onset',
  apex: 'apex',
  offset: 'offset',
  aus: 'AUs',
  emotion: 'emotion',
  objectiveClass: 'objective class',
  notes: 'notes',
  confidence: 'confidence',
  status: 'status',
}

function describePatch(patch: AnnotationPatch): string {
  const keys = Object.keys(patch) as (keyof AnnotationFields)[]
  return keys.length === 0 ? 'no change' : `set ${keys.map((k) => FIELD_LABELS[k]).join(', ')}`
}
