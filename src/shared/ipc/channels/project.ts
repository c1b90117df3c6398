import { z } from 'zod'
import { AnnotatorSchema, SAMPLE_STATUSES, type SampleStatus } from '../../domain/annotation'
import { DATASET_FORMATS, ImportProblemSchema } from '../../domain/dataset'
import { DatasetRecordSchema, SampleFilterSchema, SampleRecordSchema, SampleSummarySchema } from '../../domain/project'
import { JobStartedSchema } from './jobs'
import { request } from '../define'

/**
 * The project file: create/open/close, dataset import (a job), and the dataset browser.
 * Writes are `command:`, reads `query:`; `event:project.changed` tells every window to refresh.
 */

export const ProjectInfoSchema = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  /** Blind coding: coders see only their own codes until a sample is adjudicated. */
  blindMode: z.boolean(),
  /** Backup written when the project was opened (rotating copies beside the file). */
  backupPath: z.string().nullable(),
  datasets: z.array(DatasetRecordSchema),
  annotators: z.array(AnnotatorSchema),
})
export type ProjectInfo = z.infer<typeof ProjectInfoSchema>

const PathSchema = z.string().min(1)

export const DatasetImportRequestSchema = z.object({
  root: PathSchema,
  /** `auto` recognises the layout (CASME II, SAMM, SMIC-HS, CAS(ME)², CAS(ME)³, generic). */
  format: z.enum(['auto', ...DATASET_FORMATS]).default('auto'),
  /** Label sheet (xlsx/csv) instead of the one found in the folder. */
  labels: PathSchema.optional(),
  /** Frame rate override. */
  fps: z.number().positive().optional(),
  name: z.string().min(1).optional(),
})

/** The `result` of the import job's `event:job.done` (the handler validates it against this). */
export const DatasetImportResultSchema = z.object({
  datasetId: z.number().int().positive(),
  name: z.string(),
  root: z.string(),
  summary: z.object({
    format: z.enum(DATASET_FORMATS),
    samples: z.number().int(),
    clips: z.number().int(),
    subjects: z.number().int(),
    labelRows: z.number().int(),
    matchedRows: z.number().int(),
    emotions: z.record(z.string(), z.number()),
    megcClasses: z.record(z.string(), z.number()),
    errors: z.number().int(),
    warnings: z.number().int(),
  }),
  labelled: z.number().int(),
  labelsAnnotatorId: z.number().int().nullable(),
  problems: z.array(ImportProblemSchema),
})

const ViewerId = z.number().int().positive().optional()

export const StatusCountsSchema = z.object(Object.fromEntries(SAMPLE_STATUSES.map((s) => [s, z.number().int().nonnegative()])) as Record<SampleStatus, z.ZodNumber>)
export type StatusCounts = z.infer<typeof StatusCountsSchema>

/** A sample's browser row with its index in the filtered list (null when the filters leave it out). */
export const PositionedSampleSchema = z.object({ row: SampleSummarySchema, index: z.number().int().nonnegative().nullable() })
export type PositionedSample = z.infer<typeof PositionedSampleSchema>

export const SampleWindowSchema = z.object({
  /** Samples matching the filter. */
  total: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  rows: z.array(SampleSummarySchema),
  /** Asked with `facets`: status counts and subjects of the whole dataset (the filter's datasetId only). */
  facets: z.object({ counts: StatusCountsSchema, subjects: z.array(z.string()) }).nullable(),
  /** Asked with `sampleId`: that sample's row and index. */
  current: PositionedSampleSchema.nullable(),
})
export type SampleWindow = z.infer<typeof SampleWindowSchema>

export const projectRequests = {
  'command:project.create': request(z.object({ path: PathSchema, name: z.string().min(1).optional() }), ProjectInfoSchema),
  'command:project.open': request(z.object({ path: PathSchema }), ProjectInfoSchema),
  'command:project.close': request(z.object({}), z.object({ closed: z.boolean() })),
  'query:project.current': request(z.object({}), ProjectInfoSchema.nullable()),
  'command:dataset.import': request(DatasetImportRequestSchema, JobStartedSchema),
  /** Removes the dataset from the project with everything coded or predicted on it; the folder is untouched. */
  'command:dataset.remove': request(z.object({ datasetId: z.number().int().positive() }), z.object({ removed: z.boolean() })),
  'query:datasets.list': request(z.object({}), z.array(DatasetRecordSchema)),
  'query:samples.list': request(
    z.object({ filter: SampleFilterSchema.default({}), viewerId: z.number().int().positive().optional() }),
    z.array(SampleSummarySchema),
  ),
  /** A window of the filtered list (fixed page sizes): what the virtualised sample list shows. */
  'query:samples.window': request(
    z.object({
      filter: SampleFilterSchema.default({}),
      viewerId: ViewerId,
      offset: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(1000).default(100),
      facets: z.boolean().default(false),
      sampleId: z.number().int().positive().optional(),
    }),
    SampleWindowSchema,
  ),
  /** J/K: the next / previous sample of the filtered list after `fromSampleId`, wrapping around. */
  'query:samples.neighbour': request(
    z.object({
      fromSampleId: z.number().int().positive().nullable(),
      direction: z.enum(['next', 'previous']).default('next'),
      filter: SampleFilterSchema.default({}),
      viewerId: ViewerId,
    }),
    z.object({ sampleId: z.number().int().positive().nullable(), at: PositionedSampleSchema.nullable() }),
  ),
  'query:sample.get': request(z.object({ sampleId: z.number().int().positive() }), SampleRecordSchema),
} as const

export const projectEvents = {
  'event:project.changed': z.object({
    reason: z.enum(['created', 'opened', 'closed', 'dataset-imported', 'dataset-removed', 'annotators-changed', 'settings-changed', 'codes-imported', 'samples-added']),
    project: ProjectInfoSchema.nullable(),
  }),
  /**
   * A coding command changed a sample: its row as `viewerId` (the coder who edited) sees it and
   * that viewer's status counts of its dataset, so a list updates one row instead of reloading.
   */
  'event:samples.updated': z.object({ viewerId: z.number().int().positive(), row: SampleSummarySchema, counts: StatusCountsSchema }),
} as const
