/**
 * The project file's schema, as versioned migrations. `PRAGMA user_version` holds the version
 * the file is at; opening a project applies the missing migrations in order, each in its own
 * transaction. Never edit a released migration: add a new one. Documented for readers of the
 * file in docs/project-database.md.
 */

/** `PRAGMA application_id`: "MEST" — marks the SQLite file as an ME Studio project. */
export const APPLICATION_ID = 0x4d455354

export interface Migration {
  version: number
  description: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'datasets, samples, annotators, annotations + AU rows + history, models, predictions, jobs',
    sql: /* sql */ `
      CREATE TABLE project_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE datasets (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL,
        root          TEXT NOT NULL UNIQUE,
        format        TEXT NOT NULL,
        fps           REAL NOT NULL CHECK (fps > 0),
        labels_path   TEXT,
        imported_at   TEXT NOT NULL,
        problems_json TEXT NOT NULL DEFAULT '[]'
      ) STRICT;

      CREATE TABLE samples (
        id            INTEGER PRIMARY KEY,
        dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        subject       TEXT NOT NULL,
        name          TEXT NOT NULL,
        clip_kind     TEXT NOT NULL CHECK (clip_kind IN ('video', 'frames')),
        clip_path     TEXT NOT NULL,
        fps           REAL NOT NULL CHECK (fps > 0),
        frame_count   INTEGER NOT NULL CHECK (frame_count >= 0),
        first_frame   INTEGER,
        last_frame    INTEGER,
        width         INTEGER NOT NULL DEFAULT 0,
        height        INTEGER NOT NULL DEFAULT 0,
        frame_numbers TEXT,
        files         TEXT,
        folder_label  TEXT,
        UNIQUE (dataset_id, subject, name)
      ) STRICT;
      CREATE INDEX samples_by_subject ON samples(dataset_id, subject);

      CREATE TABLE annotators (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        initials   TEXT NOT NULL DEFAULT '',
        role       TEXT NOT NULL CHECK (role IN ('coder', 'adjudicator', 'dataset')),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE annotations (
        id              INTEGER PRIMARY KEY,
        sample_id       INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        annotator_id    INTEGER NOT NULL REFERENCES annotators(id),
        adjudicated     INTEGER NOT NULL DEFAULT 0 CHECK (adjudicated IN (0, 1)),
        onset_frame     INTEGER,
        apex_frame      INTEGER,
        offset_frame    INTEGER,
        aus             TEXT NOT NULL DEFAULT '',
        emotion         TEXT,
        objective_class TEXT,
        notes           TEXT NOT NULL DEFAULT '',
        confidence      REAL CHECK (confidence BETWEEN 0 AND 1),
        status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'done')),
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (sample_id, annotator_id, adjudicated)
      ) STRICT;
      CREATE UNIQUE INDEX one_adjudication_per_sample ON annotations(sample_id) WHERE adjudicated = 1;
      CREATE INDEX annotations_by_annotator ON annotations(annotator_id);

      CREATE TABLE annotation_aus (
        annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
        alternative   INTEGER NOT NULL,
        position      INTEGER NOT NULL,
        au            INTEGER NOT NULL,
        side          TEXT CHECK (side IN ('L', 'R', 'T', 'B')),
        intensity     TEXT CHECK (intensity IN ('A', 'B', 'C', 'D', 'E')),
        PRIMARY KEY (annotation_id, alternative, position)
      ) STRICT;
      CREATE INDEX annotation_aus_by_au ON annotation_aus(au);

      CREATE TABLE annotation_history (
        id           INTEGER PRIMARY KEY,
        sample_id    INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        annotator_id INTEGER NOT NULL REFERENCES annotators(id),
        adjudicated  INTEGER NOT NULL CHECK (adjudicated IN (0, 1)),
        action       TEXT NOT NULL,
        before_json  TEXT,
        after_json   TEXT,
        undone       INTEGER NOT NULL DEFAULT 0 CHECK (undone IN (0, 1)),
        created_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX history_by_coder ON annotation_history(annotator_id, sample_id, undone, id);

      CREATE TABLE models (
        id        INTEGER PRIMARY KEY,
        card_id   TEXT NOT NULL,
        name      TEXT NOT NULL,
        path      TEXT NOT NULL,
        sha256    TEXT NOT NULL,
        card_json TEXT NOT NULL,
        added_at  TEXT NOT NULL,
        UNIQUE (card_id, sha256)
      ) STRICT;

      CREATE TABLE jobs (
        id           TEXT PRIMARY KEY,
        kind         TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'paused', 'completed', 'cancelled', 'failed')),
        params_json  TEXT NOT NULL DEFAULT '{}',
        total        INTEGER NOT NULL DEFAULT 0,
        done         INTEGER NOT NULL DEFAULT 0,
        error_json   TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      CREATE TABLE job_items (
        job_id     TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        item_key   TEXT NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        error_json TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (job_id, item_key)
      ) STRICT;

      CREATE TABLE predictions (
        id                 INTEGER PRIMARY KEY,
        sample_id          INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
        model_id           INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
        job_id             TEXT REFERENCES jobs(id) ON DELETE SET NULL,
        execution_provider TEXT NOT NULL,
        model_sha256       TEXT NOT NULL,
        recipe_id          TEXT NOT NULL,
        predicted_class    TEXT,
        scores_json        TEXT,
        preprocess_ms      REAL,
        inference_ms       REAL,
        total_ms           REAL,
        error_code         TEXT,
        error_message      TEXT,
        created_at         TEXT NOT NULL,
        CHECK ((predicted_class IS NULL) <> (error_code IS NULL))
      ) STRICT;
      CREATE INDEX predictions_by_sample ON predictions(sample_id, model_id);
    `,
  },
  {
    // Added by the batch/export engineer (issue 8): exports record the onset/apex/offset a
    // prediction used and whether they were coded or suggested, plus optional per-frame
    // summaries; a batch job holds at most one prediction per (sample, model).
    version: 2,
    description: 'predictions: frames used + their source, summaries; one prediction per (job, sample, model)',
    sql: /* sql */ `
      ALTER TABLE predictions ADD COLUMN onset_frame INTEGER;
      ALTER TABLE predictions ADD COLUMN apex_frame INTEGER;
      ALTER TABLE predictions ADD COLUMN offset_frame INTEGER;
      ALTER TABLE predictions ADD COLUMN frames_source TEXT CHECK (frames_source IN ('coded', 'suggested'));
      ALTER TABLE predictions ADD COLUMN summaries_json TEXT;
      CREATE UNIQUE INDEX one_prediction_per_job_item ON predictions(job_id, sample_id, model_id) WHERE job_id IS NOT NULL;
    `,
  },
  {
    // Issue 15: long-video candidate review. One spotting run per clip (the samples `<video>#k`
    // share it); its candidates keep the coder's review (state, edited edges, the sample an
    // accept coded) across re-spotting. Frames are dataset frame numbers; the curve is float32 LE.
    version: 3,
    description: 'spot_runs (one per clip) and spot_candidates with their review state',
    sql: /* sql */ `
      CREATE TABLE spot_runs (
        id            INTEGER PRIMARY KEY,
        dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        clip_path     TEXT NOT NULL,
        fps           REAL NOT NULL CHECK (fps > 0),
        frames        INTEGER NOT NULL CHECK (frames > 0),
        first_frame   INTEGER NOT NULL,
        last_frame    INTEGER NOT NULL,
        threshold     REAL NOT NULL,
        curve         BLOB NOT NULL,
        warnings_json TEXT NOT NULL DEFAULT '[]',
        spotted_at    TEXT NOT NULL,
        UNIQUE (dataset_id, clip_path)
      ) STRICT;

      CREATE TABLE spot_candidates (
        id             INTEGER PRIMARY KEY,
        run_id         INTEGER NOT NULL REFERENCES spot_runs(id) ON DELETE CASCADE,
        onset_frame    INTEGER NOT NULL,
        apex_frame     INTEGER NOT NULL,
        offset_frame   INTEGER NOT NULL CHECK (offset_frame >= onset_frame),
        label          TEXT NOT NULL CHECK (label IN ('expression', 'blink', 'head-motion')),
        confidence     REAL NOT NULL,
        regions_json   TEXT NOT NULL DEFAULT '[]',
        state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
        edited_onset   INTEGER,
        edited_offset  INTEGER,
        sample_id      INTEGER REFERENCES samples(id) ON DELETE SET NULL,
        updated_at     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX spot_candidates_by_run ON spot_candidates(run_id, onset_frame);
    `,
  },
]

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version
