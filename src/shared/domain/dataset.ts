import { z } from 'zod'

/**
 * Dataset domain: what a scanned dataset folder and its label spreadsheet look like once read.
 * Frame *numbers* are always the dataset's own numbering (CASME II `img46.jpg` → 46, SAMM
 * `006_05562.jpg` → 5562); for videos they are 0-based decoder indices. The media service maps
 * number ↔ index through `ClipInfo.frameNumbers`.
 */

export const DATASET_FORMATS = ['casme2', 'samm', 'smic', 'casme2-long', 'casme3', 'generic'] as const
export const DatasetFormatSchema = z.enum(DATASET_FORMATS)
export type DatasetFormat = z.infer<typeof DatasetFormatSchema>

/** Recording frame rates the datasets were published with (overridable per import). */
export const DEFAULT_FPS: Readonly<Record<Exclude<DatasetFormat, 'generic'>, number>> = {
  casme2: 200,
  samm: 200,
  smic: 100,
  'casme2-long': 30,
  casme3: 30,
}

export const DATASET_TITLES: Readonly<Record<DatasetFormat, string>> = {
  casme2: 'CASME II',
  samm: 'SAMM',
  smic: 'SMIC-HS',
  'casme2-long': 'CAS(ME)²',
  casme3: 'CAS(ME)³ Part A',
  generic: 'Generic folder',
}

export const ClipKindSchema = z.enum(['video', 'frames'])
export type ClipKind = z.infer<typeof ClipKindSchema>

export const ClipInfoSchema = z.object({
  kind: ClipKindSchema,
  /** Video file, or the folder holding the image sequence. */
  path: z.string(),
  fps: z.number().positive(),
  frameCount: z.number().int().nonnegative(),
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** Image sequences: the numbers in the file names, ascending. Videos: 0-based decoder indices. */
  frameNumbers: z.array(z.number().int().nonnegative()),
  /** Image sequences: file names (not paths) in the same order as `frameNumbers`. */
  files: z.array(z.string()).optional(),
})
export type ClipInfo = z.infer<typeof ClipInfoSchema>

export const ScannedSampleSchema = z.object({
  dataset: DatasetFormatSchema,
  /** Subject id as written in the dataset (`sub01`, `006`, `s1`, `spNO.1`). */
  subject: z.string(),
  /** Sample name as written in the dataset (`EP02_01f`, `006_1_2`, `s1_ne_01`). */
  name: z.string(),
  clip: ClipInfoSchema,
  /** SMIC: the class encoded by the folder path (`micro/negative/...`). */
  folderLabel: z.string().optional(),
  /**
   * Long-video datasets (`LONG_VIDEO_FORMATS`): set when this sample is one labelled expression of
   * a long clip — the clip's own name; `name` is then `<video>#<k>` and `clip` is shared with the
   * video's other expressions.
   */
  video: z.string().optional(),
})
export type ScannedSample = z.infer<typeof ScannedSampleSchema>

export const EXPRESSION_TYPES = ['micro', 'macro'] as const
export const ExpressionTypeSchema = z.enum(EXPRESSION_TYPES)
export type ExpressionType = z.infer<typeof ExpressionTypeSchema>

export const LabelRowSchema = z.object({
  /** 1-based row in the spreadsheet (or csv line), for problem reports. */
  rowNumber: z.number().int().positive(),
  subject: z.string(),
  sample: z.string(),
  onset: z.number().int().nonnegative(),
  /** null where the sheet has `/`, an empty cell, or the dataset has no apex (SMIC). */
  apex: z.number().int().nonnegative().nullable(),
  /** null where the sheet leaves it empty or 0 and it cannot be derived. */
  offset: z.number().int().nonnegative().nullable(),
  /** The AU cell as written (`4+7`, `L10`, `R14A or 17`); parsing is the annotation layer's job. */
  auText: z.string(),
  /** Lower-case emotion as written, canonicalised by `canonicalEmotion` where known. */
  emotion: z.string().nullable(),
  /** SAMM / CAS(ME)³ objective class (1–7) as written. */
  objectiveClass: z.string().optional(),
  expressionType: ExpressionTypeSchema.optional(),
  /**
   * CAS(ME)²: the subject folder number the workbook's "naming rule1" sheet gives for the row's
   * participant number (participant `1` → `15`, folder `s15`), when it lists the participant.
   */
  clipSubject: z.string().optional(),
  /**
   * CAS(ME)²: the 4-digit video code the "naming rule2" sheet gives for the row's expression name
   * stem (`anger1_1` → `anger1` → `0401`, folder `15_0401…`), when it lists the stem.
   */
  clipCode: z.string().optional(),
})
export type LabelRow = z.infer<typeof LabelRowSchema>

/** Problem codes an import or validation may report; each names what the user should look at. */
export const IMPORT_PROBLEM_CODES = [
  'labels/unreadable',
  'labels/no-header',
  'labels/missing-column',
  'labels/bad-row',
  'labels/bad-frame-number',
  'labels/apex-missing',
  'labels/offset-missing',
  'labels/offset-derived',
  'labels/onset-after-apex',
  'labels/apex-after-offset',
  'labels/too-long',
  'labels/ambiguous-au',
  'labels/unknown-emotion',
  'labels/duplicate-row',
  'labels/unknown-sample',
  'labels/missing-frames',
  'labels/frames-outside-clip',
  /** Content of a codes file that import did not take (e.g. an ELAN tier it does not know). */
  'labels/ignored-content',
  'dataset/sample-without-label',
  'dataset/unreadable-clip',
  'dataset/dropped-frames',
  'dataset/empty-folder',
  'dataset/format-guessed',
] as const
export const ImportProblemCodeSchema = z.enum(IMPORT_PROBLEM_CODES)
export type ImportProblemCode = z.infer<typeof ImportProblemCodeSchema>

export const ImportProblemSchema = z.object({
  severity: z.enum(['warning', 'error']),
  code: ImportProblemCodeSchema,
  message: z.string(),
  /** 1-based spreadsheet row the problem comes from. */
  row: z.number().int().positive().optional(),
  /** `subject/sample` the problem concerns. */
  sample: z.string().optional(),
})
export type ImportProblem = z.infer<typeof ImportProblemSchema>

/**
 * Datasets whose clips are long recordings holding several labelled expressions each (CAS(ME)²'s
 * `rawpic` videos, CAS(ME)³ Part A). An import turns every distinct labelled expression of such a
 * clip into its own sample `<video>#<k>` (k = 1, 2, … by onset) sharing the clip; an unlabelled
 * clip stays one sample named after the clip.
 */
export const LONG_VIDEO_FORMATS: readonly DatasetFormat[] = ['casme2-long', 'casme3']

/** Micro-expressions are at most 500 ms long (Yan et al. 2013); longer labelled intervals are flagged. */
export const MAX_MICRO_EXPRESSION_MS = 500

// ---------------------------------------------------------------------------------------------
// Emotions

export const EMOTIONS = [
  'anger',
  'contempt',
  'disgust',
  'fear',
  'happiness',
  'sadness',
  'surprise',
  'repression',
  'others',
  // Datasets that label only the coarse class (SMIC, CAS(ME)²).
  'negative',
  'positive',
] as const
export const EmotionSchema = z.enum(EMOTIONS)
export type Emotion = z.infer<typeof EmotionSchema>

/** The emotion words each dataset's sheets use, after `canonicalEmotion`. */
export const EMOTION_VOCABULARIES: Readonly<Record<DatasetFormat, readonly Emotion[]>> = {
  casme2: ['happiness', 'disgust', 'repression', 'surprise', 'sadness', 'fear', 'others'],
  samm: ['anger', 'contempt', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'others'],
  smic: ['positive', 'negative', 'surprise'],
  'casme2-long': ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'negative', 'positive', 'others'],
  casme3: ['anger', 'disgust', 'fear', 'happiness', 'sadness', 'surprise', 'others'],
  generic: EMOTIONS,
}

const EMOTION_SYNONYMS: Readonly<Record<string, Emotion>> = {
  happy: 'happiness',
  happiness: 'happiness',
  sad: 'sadness',
  sadness: 'sadness',
  angry: 'anger',
  anger: 'anger',
  other: 'others',
  others: 'others',
  disgust: 'disgust',
  disgusted: 'disgust',
  contempt: 'contempt',
  fear: 'fear',
  fearful: 'fear',
  surprise: 'surprise',
  surprised: 'surprise',
  repression: 'repression',
  negative: 'negative',
  ne: 'negative',
  positive: 'positive',
  po: 'positive',
  sur: 'surprise',
}

/** Maps a sheet's emotion cell (any case, SMIC folder abbreviations) to the vocabulary, or null. */
export function canonicalEmotion(text: string): Emotion | null {
  const key = text.trim().toLowerCase()
  return EMOTION_SYNONYMS[key] ?? null
}

// ---------------------------------------------------------------------------------------------
// MEGC 2019 composite 3-class labels

export const MEGC_CLASSES = ['negative', 'positive', 'surprise'] as const
export const MegcClassSchema = z.enum(MEGC_CLASSES)
export type MegcClass = z.infer<typeof MegcClassSchema>

/** MEGC 2019 composite mapping (See et al. 2019); emotions not listed ('others') are dropped. */
export const MEGC_2019_MAPPING: Readonly<Partial<Record<Emotion, MegcClass>>> = {
  anger: 'negative',
  contempt: 'negative',
  disgust: 'negative',
  fear: 'negative',
  sadness: 'negative',
  repression: 'negative',
  negative: 'negative',
  happiness: 'positive',
  positive: 'positive',
  surprise: 'surprise',
}

/** The MEGC 2019 class of an emotion cell, or null when the sample is dropped from the composite set. */
export function megcClassOf(emotion: string | null): MegcClass | null {
  if (emotion === null) return null
  const canonical = canonicalEmotion(emotion)
  return canonical === null ? null : (MEGC_2019_MAPPING[canonical] ?? null)
}

// ---------------------------------------------------------------------------------------------
// Scan results

export const DatasetScanSchema = z.object({
  root: z.string(),
  format: DatasetFormatSchema,
  fps: z.number().positive(),
  samples: z.array(ScannedSampleSchema),
  problems: z.array(ImportProblemSchema),
})
export type DatasetScan = z.infer<typeof DatasetScanSchema>

export const LabelSheetSchema = z.object({
  /** The spreadsheet read, or null for labels taken from folder names (SMIC). */
  path: z.string().nullable(),
  format: DatasetFormatSchema,
  rows: z.array(LabelRowSchema),
  problems: z.array(ImportProblemSchema),
})
export type LabelSheet = z.infer<typeof LabelSheetSchema>

export const DatasetSummarySchema = z.object({
  format: DatasetFormatSchema,
  /** Samples the import stores: one per clip, but one per labelled expression of a long video. */
  samples: z.number().int().nonnegative(),
  /** Clips (videos or frame folders) opened. Equals `samples` except for `LONG_VIDEO_FORMATS`. */
  clips: z.number().int().nonnegative(),
  subjects: z.number().int().nonnegative(),
  labelRows: z.number().int().nonnegative(),
  /** Rows that matched a scanned clip. */
  matchedRows: z.number().int().nonnegative(),
  emotions: z.record(z.string(), z.number().int().nonnegative()),
  /** MEGC 2019 composite classes of the matched rows ('others' dropped). */
  megcClasses: z.record(z.string(), z.number().int().nonnegative()),
  errors: z.number().int().nonnegative(),
  warnings: z.number().int().nonnegative(),
})
export type DatasetSummary = z.infer<typeof DatasetSummarySchema>
