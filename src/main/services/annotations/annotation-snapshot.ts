import type { Annotation } from '@shared/domain/annotation'
import type { Project } from '../project/project'

/** What project-wide figures need of a sample: not its clip (frame lists, file names), which a big project would parse by the thousand. */
export interface SampleKey {
  id: number
  datasetId: number
  subject: string
  name: string
  fps: number
}

/**
 * Every annotation and sample key of the open project, parsed once and then kept current one
 * sample at a time, so project-wide figures (the agreement report) cost their arithmetic and not a
 * re-read of every row after each keystroke (5,000 samples: ~20 ms of SQL and AU parsing per read).
 *
 * TEMP triggers (per connection, never in the file) record which samples' annotations changed and
 * whether any sample row changed, whoever wrote them; a rolled-back write rolls its record back
 * with it. Each read first re-reads just those samples.
 */
export class AnnotationSnapshot {
  private bySample: Map<number, Annotation[]> | null = null
  private samples: SampleKey[] | null = null

  /** One per connection: the TEMP tables it drains are the connection's, so two would steal each other's records. */
  static of(project: Project): AnnotationSnapshot {
    let snapshot = snapshots.get(project.database)
    if (!snapshot) snapshots.set(project.database, (snapshot = new AnnotationSnapshot(project)))
    return snapshot
  }

  private constructor(private readonly project: Project) {
    this.project.database.db.exec(TEMP_SCHEMA)
  }

  private statement(sql: string) {
    return this.project.database.statement(sql)
  }

  /** Every annotation of the dataset (or the project). The arrays are shared: do not modify them. */
  annotations(datasetId?: number): Annotation[] {
    const bySample = this.refresh()
    if (datasetId === undefined) return [...bySample.values()].flat()
    return this.sampleKeys(datasetId).flatMap((s) => bySample.get(s.id) ?? [])
  }

  /** The samples of the dataset (or the project), in id order. */
  sampleKeys(datasetId?: number): SampleKey[] {
    if (!this.samples || this.statement('SELECT 1 FROM temp.annotation_snapshot_samples_changed LIMIT 1').get()) {
      this.statement('DELETE FROM temp.annotation_snapshot_samples_changed').run()
      this.samples = this.statement('SELECT id, dataset_id AS datasetId, subject, name, fps FROM samples ORDER BY id').all() as SampleKey[]
    }
    return datasetId === undefined ? this.samples : this.samples.filter((s) => s.datasetId === datasetId)
  }

  private refresh(): Map<number, Annotation[]> {
    if (!this.bySample) {
      this.statement('DELETE FROM temp.annotation_snapshot_stale').run()
      this.bySample = new Map()
      for (const a of this.project.allAnnotations()) push(this.bySample, a)
      return this.bySample
    }
    const stale = this.statement('SELECT DISTINCT sample_id AS id FROM temp.annotation_snapshot_stale').all() as { id: number }[]
    if (stale.length === 0) return this.bySample
    this.statement('DELETE FROM temp.annotation_snapshot_stale').run()
    for (const { id } of stale) {
      const current = this.project.annotationsForSample(id)
      if (current.length === 0) this.bySample.delete(id)
      else this.bySample.set(id, current)
    }
    return this.bySample
  }
}

function push(bySample: Map<number, Annotation[]>, a: Annotation): void {
  const list = bySample.get(a.sampleId)
  if (list) list.push(a)
  else bySample.set(a.sampleId, [a])
}

const snapshots = new WeakMap<Project['database'], AnnotationSnapshot>()

const TEMP_SCHEMA = /* sql */ `
  CREATE TEMP TABLE IF NOT EXISTS annotation_snapshot_stale (sample_id INTEGER NOT NULL);
  CREATE TEMP TABLE IF NOT EXISTS annotation_snapshot_samples_changed (changed INTEGER NOT NULL);
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_insert AFTER INSERT ON main.annotations
    BEGIN INSERT INTO annotation_snapshot_stale VALUES (NEW.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_update AFTER UPDATE ON main.annotations
    BEGIN INSERT INTO annotation_snapshot_stale VALUES (OLD.sample_id), (NEW.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_delete AFTER DELETE ON main.annotations
    BEGIN INSERT INTO annotation_snapshot_stale VALUES (OLD.sample_id); END;
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_sample_insert AFTER INSERT ON main.samples
    BEGIN INSERT INTO annotation_snapshot_samples_changed VALUES (1); END;
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_sample_update AFTER UPDATE ON main.samples
    BEGIN INSERT INTO annotation_snapshot_samples_changed VALUES (1); END;
  CREATE TEMP TRIGGER IF NOT EXISTS annotation_snapshot_sample_delete AFTER DELETE ON main.samples
    BEGIN INSERT INTO annotation_snapshot_samples_changed VALUES (1); END;
`
