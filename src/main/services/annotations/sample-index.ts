import { DEFAULT_DISAGREEMENT, SAMPLE_STATUSES, type Annotator, type SampleStatus } from '@shared/domain/annotation'
import type { SampleFilter, SampleSummary } from '@shared/domain/project'
import { toAnnotation, type AnnotationRow, type Project } from '../project/project'

export type StatusCounts = Record<SampleStatus, number>

/** A sample of the browser with its place in the filtered list (null: the filters leave it out). */
export interface PositionedSample {
  row: SampleSummary
  index: number | null
}

export interface SampleRows {
  /** Samples matching the filter. */
  total: number
  offset: number
  rows: SampleSummary[]
}

export interface SampleWindow extends SampleRows {
  facets: { counts: StatusCounts; subjects: string[] } | null
  current: PositionedSample | null
}

/**
 * The dataset browser as SQLite queries: a window of the filtered list, its length, the status
 * counts, a sample's position, the next uncoded sample and the J/K neighbour — each answered from
 * indexes in a few ms however many samples the project holds, without building the whole list.
 *
 * A sample's status (`deriveSampleStatus`, with the coders' disagreements) is derived in SQL and
 * kept per sample in a TEMP table of this connection (never in the file), and TEMP triggers on `annotations`, `samples` and `annotators` mark a
 * sample stale on any write, whoever makes it. Each query first recomputes the stale samples:
 * every sample once after opening, then only the ones just edited.
 */
export class SampleIndex {
  constructor(private readonly project: Project) {
    const fresh = !this.statement("SELECT 1 FROM temp.sqlite_master WHERE name = 'sample_state'").get()
    this.db.exec(TEMP_SCHEMA)
    if (fresh) this.db.exec(`INSERT INTO temp.sample_state_stale VALUES (${ALL_SAMPLES})`)
  }

  private get db() {
    return this.project.database.db
  }

  /** Compiled once per open project: statements prepared per edit pile up native memory (ProjectDatabase.statement). */
  private statement(sql: string) {
    return this.project.database.statement(sql)
  }

  /** Rows `offset … offset + limit − 1` of the filtered list, in browsing order (dataset, subject, name). */
  window(filter: SampleFilter, viewerId: number | undefined, offset: number, limit: number): SampleRows {
    const q = this.prepare(filter, viewerId)
    const total = (this.statement(`SELECT count(*) AS n ${q.from}`).get(q.params) as { n: number }).n
    const found = this.statement(`SELECT ${ROW_COLUMNS}, ${q.status} AS status ${q.from} ORDER BY ${ORDER} LIMIT @limit OFFSET @offset`).all({ ...q.params, limit, offset }) as RowColumns[]
    return { total, offset, rows: this.summaries(found, q.viewer) }
  }

  /** Every row of the filtered list (the `query:samples.list` answer). */
  list(filter: SampleFilter, viewerId: number | undefined): SampleSummary[] {
    return this.window(filter, viewerId, 0, -1).rows
  }

  /** Samples per status in the dataset (or the project), as the viewer sees them. */
  counts(datasetId: number | undefined, viewerId: number | undefined): StatusCounts {
    const q = this.prepare(datasetId === undefined ? {} : { datasetId }, viewerId)
    const out = Object.fromEntries(SAMPLE_STATUSES.map((s) => [s, 0])) as StatusCounts
    // Everything visible: the stored statuses, counted on their (dataset, status) index.
    const found =
      q.params.open === 1
        ? datasetId === undefined
          ? this.statement('SELECT status, count(*) AS n FROM temp.sample_state GROUP BY status').all()
          : this.statement('SELECT status, count(*) AS n FROM temp.sample_state WHERE dataset_id = ? GROUP BY status').all(datasetId)
        : this.statement(`SELECT ${q.status} AS status, count(*) AS n ${q.from} GROUP BY 1`).all(q.params)
    for (const r of found as { status: SampleStatus; n: number }[]) out[r.status] = r.n
    return out
  }

  subjects(datasetId: number | undefined): string[] {
    const rows = (
      datasetId === undefined
        ? this.statement('SELECT DISTINCT subject FROM samples ORDER BY subject').all()
        : this.statement('SELECT DISTINCT subject FROM samples WHERE dataset_id = ? ORDER BY subject').all(datasetId)
    ) as { subject: string }[]
    return rows.map((r) => r.subject)
  }

  /** The sample's row as the viewer sees it, whatever the filter. */
  row(sampleId: number, viewerId: number | undefined): SampleSummary | null {
    const q = this.prepare({}, viewerId)
    const found = this.statement(`SELECT ${ROW_COLUMNS}, ${q.status} AS status ${q.from} AND s.id = @sampleId`).get({ ...q.params, sampleId }) as RowColumns | undefined
    return found ? this.summaries([found], q.viewer)[0]! : null
  }

  /** The sample's row and its index in the filtered list. */
  locate(sampleId: number, filter: SampleFilter, viewerId: number | undefined): PositionedSample | null {
    const row = this.row(sampleId, viewerId)
    if (!row) return null
    const q = this.prepare(filter, viewerId)
    const params = { ...q.params, sampleId, ...this.key(sampleId) }
    const member = this.statement(`SELECT 1 ${q.from} AND s.id = @sampleId`).get(params)
    return { row, index: member ? (this.statement(`SELECT count(*) AS n ${q.from} AND ${q.before}`).get(params) as { n: number }).n : null }
  }

  /**
   * The next (or previous) sample after `fromSampleId` in the filtered list. `uncodedBy`: only
   * samples that coder has not coded, and no wrapping (null when none is left); otherwise J/K,
   * wrapping around. From a sample outside the list (or none), the list's first (last) sample.
   */
  step(fromSampleId: number | null, direction: 'next' | 'previous', filter: SampleFilter, viewerId: number | undefined, uncodedBy?: number): number | null {
    const q = this.prepare(filter, viewerId)
    const params = { ...q.params, sampleId: fromSampleId ?? 0, coder: uncodedBy ?? 0, ...this.key(fromSampleId ?? 0) }
    const member = fromSampleId !== null && this.statement(`SELECT 1 ${q.from} AND s.id = @sampleId`).get(params)
    const uncoded =
      uncodedBy === undefined
        ? ''
        : `AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND a.annotator_id = @coder AND a.adjudicated = 0 AND ${HAS_CONTENT})`
    const first = (after: boolean) =>
      (
        this.statement(`SELECT s.id ${q.from} ${after ? `AND ${direction === 'next' ? q.after : q.before}` : ''} ${uncoded} ORDER BY ${direction === 'next' ? ORDER : ORDER_DESC} LIMIT 1`)
          .get(params) as { id: number } | undefined
      )?.id ?? null
    if (!member) return first(false)
    return first(true) ?? (uncodedBy === undefined ? first(false) : null)
  }

  // ---- internals ---------------------------------------------------------------------------

  /** The browsing-order key of a sample (AFTER / BEFORE parameters); a missing sample sorts nowhere. */
  private key(sampleId: number): { keyDataset: number | null; keySubject: string | null; keyName: string | null } {
    const row = this.statement('SELECT dataset_id, subject, name FROM samples WHERE id = ?').get(sampleId) as { dataset_id: number; subject: string; name: string } | undefined
    return { keyDataset: row?.dataset_id ?? null, keySubject: row?.subject ?? null, keyName: row?.name ?? null }
  }

  /** The FROM … WHERE of the filtered list, the viewer's status expression and their parameters. */
  private prepare(filter: SampleFilter, viewerId: number | undefined) {
    this.refresh()
    const viewer = viewerId === undefined ? undefined : this.project.getAnnotator(viewerId)
    const blind = this.project.getMeta('blind_mode') === '1'
    // Blind mode: a coder sees only their own codes until the sample has an adjudicated coding;
    // adjudicators see everything; without a viewer only adjudicated samples' codes show.
    const open = !blind || viewer?.role === 'adjudicator' ? 1 : 0
    const params: Record<string, string | number> = { open, viewer: viewer?.id ?? 0, viewerCodes: viewer?.role === 'coder' ? 1 : 0 }
    const visible = '(@open = 1 OR st.adjudication = 1 OR a.annotator_id = @viewer)'
    const status = `(CASE WHEN @open = 1 OR st.adjudication = 1 THEN st.status
      WHEN @viewerCodes = 1 AND EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND a.annotator_id = @viewer AND a.adjudicated = 0 AND ${HAS_CONTENT}) THEN 'coded'
      ELSE 'uncoded' END)`
    const where: string[] = []
    if (filter.datasetId !== undefined) {
      where.push('s.dataset_id = @datasetId')
      params.datasetId = filter.datasetId
    }
    if (filter.subject !== undefined) {
      where.push('s.subject = @subject')
      params.subject = filter.subject
    }
    if (filter.status !== undefined) {
      where.push(`${status} = @status`)
      params.status = filter.status
    }
    // A set emotion or primary AU is content, so these need no content check of their own.
    if (filter.emotion !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND a.emotion = @emotion AND ${visible})`)
      params.emotion = filter.emotion
    }
    if (filter.au !== undefined) {
      where.push(
        `EXISTS (SELECT 1 FROM annotations a JOIN annotation_aus x ON x.annotation_id = a.id AND x.alternative = 0 WHERE a.sample_id = s.id AND x.au = @au AND ${visible})`,
      )
      params.au = filter.au
    }
    const from = `FROM samples s JOIN temp.sample_state st ON st.sample_id = s.id WHERE ${where.length > 0 ? where.join(' AND ') : '1'}`
    const withinDataset = filter.datasetId !== undefined
    return { from, status, params, viewer, after: range('>', withinDataset), before: range('<', withinDataset) }
  }

  /** Summaries of found rows: the viewer's own annotation and the dataset's labels come in one query. */
  private summaries(found: RowColumns[], viewer: Annotator | undefined): SampleSummary[] {
    if (found.length === 0) return []
    const open = this.project.getMeta('blind_mode') !== '1' || viewer?.role === 'adjudicator'
    const extra = this.statement(
        `SELECT a.*, r.role AS role FROM annotations a JOIN annotators r ON r.id = a.annotator_id
         WHERE a.sample_id IN (SELECT value FROM json_each(@ids)) AND ((a.annotator_id = @viewer AND a.adjudicated = 0) OR r.role = 'dataset')
         ORDER BY a.sample_id, a.adjudicated, a.annotator_id`,
      )
      .all({ ids: JSON.stringify(found.map((r) => r.id)), viewer: viewer?.id ?? 0 }) as (AnnotationRow & { role: string })[]
    const mine = new Map<number, AnnotationRow>()
    const labels = new Map<number, AnnotationRow>()
    for (const a of extra) {
      if (a.annotator_id === viewer?.id && a.adjudicated === 0) mine.set(a.sample_id, a)
      if (a.role === 'dataset' && !labels.has(a.sample_id)) labels.set(a.sample_id, a)
    }
    return found.map((r) => {
      const own = mine.get(r.id)
      const found = labels.get(r.id)
      // Blind mode hides the dataset's labels from coders like any other coding.
      const label = open || r.adjudication === 1 || found?.annotator_id === viewer?.id ? found : undefined
      return {
        id: r.id,
        datasetId: r.dataset_id,
        subject: r.subject,
        name: r.name,
        clipKind: r.clip_kind,
        fps: r.fps,
        frameCount: r.frame_count,
        firstFrame: r.first_frame,
        lastFrame: r.last_frame,
        status: r.status,
        coders: r.coders,
        mine: own ? toAnnotation(own) : null,
        datasetLabel: label ? toAnnotation(label) : null,
      }
    })
  }

  /**
   * Recomputes the stale samples' status (all of them after opening, then the edited ones), in SQL.
   * "All of them" skips the stale-list filter: matching 20,000 ids against it cost as much again.
   */
  private refresh(): void {
    if (!this.statement('SELECT 1 FROM temp.sample_state_stale LIMIT 1').get()) return
    const all = this.statement(`SELECT 1 FROM temp.sample_state_stale WHERE sample_id = ${ALL_SAMPLES}`).get() !== undefined
    const scope = (column: string) => (all ? '1' : `${column} IN (SELECT sample_id FROM temp.sample_state_stale)`)
    this.project.transaction(() => {
      this.db.exec(`DELETE FROM temp.sample_state WHERE ${scope('sample_id')}`)
      this.db.exec(`
        INSERT INTO temp.sample_state(sample_id, dataset_id, status, adjudication, coders)
        SELECT id, dataset_id, CASE WHEN adjudicated_content THEN 'adjudicated' WHEN coders = 0 THEN 'uncoded' ELSE 'coded' END, adjudication, coders
        FROM (SELECT s.id, s.dataset_id,
                EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND a.adjudicated = 1 AND ${HAS_CONTENT}) AS adjudicated_content,
                EXISTS (SELECT 1 FROM annotations a WHERE a.sample_id = s.id AND a.adjudicated = 1) AS adjudication,
                (SELECT count(*) FROM annotations a JOIN annotators r ON r.id = a.annotator_id
                 WHERE a.sample_id = s.id AND a.adjudicated = 0 AND r.role = 'coder' AND ${HAS_CONTENT}) AS coders
              FROM samples s WHERE ${scope('s.id')})`)
      // Two coders or more, no adjudication: disputed when a pair disagrees (`disagreements`).
      this.statement(disputed(scope('sample_id'))).run({ tolerance: DEFAULT_DISAGREEMENT.markToleranceFrames })
      this.db.exec('DELETE FROM temp.sample_state_stale')
    })
  }
}

/** A stale-list entry that stands for every sample (no sample has id 0: SQLite's rowids start at 1). */
const ALL_SAMPLES = 0

/**
 * SQL for `hasContent(a)` (@shared/domain/annotation) on an annotation aliased `a`: any mark,
 * label or primary AU, or notes that are not only white space (JavaScript's `trim` set).
 */
export const HAS_CONTENT = `(a.onset_frame IS NOT NULL OR a.apex_frame IS NOT NULL OR a.offset_frame IS NOT NULL OR a.emotion IS NOT NULL
  OR a.objective_class IS NOT NULL OR trim(a.notes, char(9, 10, 11, 12, 13, 32, 160, 5760, 8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199, 8200, 8201, 8202, 8232, 8233, 8239, 8287, 12288, 65279)) <> ''
  OR EXISTS (SELECT 1 FROM annotation_aus x WHERE x.annotation_id = a.id AND x.alternative = 0))`

const ORDER = 's.dataset_id, s.subject, s.name'
const ORDER_DESC = 's.dataset_id DESC, s.subject DESC, s.name DESC'
/**
 * Browsing-order ranges from a sample's key (`key()`), written so that SQLite walks the
 * (dataset_id, subject, name) index from the key: bound values, not a subquery, and within one
 * dataset (an equality on dataset_id) only the (subject, name) pair.
 */
const range = (op: '<' | '>', withinDataset: boolean) =>
  withinDataset ? `(s.subject, s.name) ${op} (@keySubject, @keyName)` : `(s.dataset_id, s.subject, s.name) ${op} (@keyDataset, @keySubject, @keyName)`
const ROW_COLUMNS = 's.id, s.dataset_id, s.subject, s.name, s.clip_kind, s.fps, s.frame_count, s.first_frame, s.last_frame, st.adjudication, st.coders'

interface RowColumns {
  id: number
  dataset_id: number
  subject: string
  name: string
  clip_kind: 'video' | 'frames'
  fps: number
  frame_count: number
  first_frame: number | null
  last_frame: number | null
  adjudication: 0 | 1
  coders: number
  status: SampleStatus
}

/**
 * SQL twin of `disagreements` (@shared/domain/annotation) over the stale samples still 'coded' with
 * two coders or more: emotions, AU sets (primary alternative, number and side, as `auSetKey`), a
 * mark set by one coder only or further apart than the tolerance. The unit tests hold it to the
 * TypeScript definition on mixed codings.
 */
const disputed = (scope: string) => /* sql */ `
  WITH coded AS (
    SELECT a.sample_id, a.annotator_id, a.onset_frame AS o, a.apex_frame AS p, a.offset_frame AS f, coalesce(a.emotion, '') AS e,
           coalesce((SELECT group_concat(coalesce(x.side, '') || x.au, '+' ORDER BY coalesce(x.side, '') || x.au) FROM annotation_aus x
                     WHERE x.annotation_id = a.id AND x.alternative = 0), '') AS aus
    FROM annotations a JOIN annotators r ON r.id = a.annotator_id
    WHERE a.sample_id IN (SELECT sample_id FROM temp.sample_state WHERE status = 'coded' AND coders >= 2 AND ${scope})
      AND a.adjudicated = 0 AND r.role = 'coder' AND ${HAS_CONTENT}
  )
  UPDATE temp.sample_state SET status = 'disputed' WHERE sample_id IN (
    SELECT c1.sample_id FROM coded c1 JOIN coded c2 ON c2.sample_id = c1.sample_id AND c2.annotator_id > c1.annotator_id
    WHERE c1.e <> c2.e OR c1.aus <> c2.aus
       OR (c1.o IS NULL) <> (c2.o IS NULL) OR abs(c1.o - c2.o) > @tolerance
       OR (c1.p IS NULL) <> (c2.p IS NULL) OR abs(c1.p - c2.p) > @tolerance
       OR (c1.f IS NULL) <> (c2.f IS NULL) OR abs(c1.f - c2.f) > @tolerance)`

/** Per connection, never in the project file: the derived status and what made it stale. */
const TEMP_SCHEMA = /* sql */ `
  CREATE TEMP TABLE IF NOT EXISTS sample_state (
    sample_id    INTEGER PRIMARY KEY,
    dataset_id   INTEGER NOT NULL,
    status       TEXT NOT NULL,    -- with every coding visible (blind mode narrows it per viewer)
    adjudication INTEGER NOT NULL, -- 1: an adjudicated annotation exists (blind mode shows all codes then)
    coders       INTEGER NOT NULL  -- coders with something coded
  );
  CREATE INDEX IF NOT EXISTS temp.sample_state_counts ON sample_state(dataset_id, status);
  -- No key: an OR IGNORE here would give way to the firing statement's own conflict clause (an upsert).
  CREATE TEMP TABLE IF NOT EXISTS sample_state_stale (sample_id INTEGER NOT NULL);
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_annotation_insert AFTER INSERT ON main.annotations
    BEGIN INSERT INTO sample_state_stale VALUES (NEW.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_annotation_update AFTER UPDATE ON main.annotations
    BEGIN INSERT INTO sample_state_stale VALUES (OLD.sample_id), (NEW.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_annotation_delete AFTER DELETE ON main.annotations
    BEGIN INSERT INTO sample_state_stale VALUES (OLD.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_sample_insert AFTER INSERT ON main.samples
    BEGIN INSERT INTO sample_state_stale VALUES (NEW.id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_sample_delete AFTER DELETE ON main.samples
    BEGIN DELETE FROM sample_state WHERE sample_id = OLD.id; DELETE FROM sample_state_stale WHERE sample_id = OLD.id; END;
  CREATE TEMP TRIGGER IF NOT EXISTS sample_state_roles AFTER UPDATE OF role ON main.annotators
    BEGIN INSERT INTO sample_state_stale VALUES (${ALL_SAMPLES}); END;
`
