import { z } from 'zod'
import { ANNOTATOR_ROLES, AnnotationFieldsSchema, AnnotationIssueSchema, AnnotationPatchSchema, AnnotationSchema, AnnotatorSchema, SAMPLE_STATUSES } from '../../domain/annotation'
import { ImportProblemSchema } from '../../domain/dataset'
import { SampleFilterSchema } from '../../domain/project'
import { request } from '../define'
import { DownloadFlagSchema, DownloadsSchema, OverwriteSchema } from './export-target'
import { PositionedSampleSchema } from './project'

/**
 * Coding: annotators, per-coder annotations as undoable commands, blind mode, adjudication,
 * agreement, and codes import/export. Every command answers with the annotation as saved, its
 * validation issues and the undo/redo state, so the UI never has to guess.
 */

const Id = z.number().int().positive()

export const HistoryStateSchema = z.object({
  canUndo: z.boolean(),
  canRedo: z.boolean(),
  undoAction: z.string().nullable(),
  redoAction: z.string().nullable(),
})

export const CommandResultSchema = z.object({
  annotation: AnnotationSchema.nullable(),
  issues: z.array(AnnotationIssueSchema),
  history: HistoryStateSchema,
  changed: z.boolean(),
})

export const SampleCodingSchema = z.object({
  sampleId: Id,
  status: z.enum(SAMPLE_STATUSES),
  /** The viewer's own annotation. */
  mine: AnnotationSchema.nullable(),
  /** Every annotation the viewer may see (blind mode hides other coders'). */
  visible: z.array(AnnotationSchema),
  issues: z.array(AnnotationIssueSchema),
  history: HistoryStateSchema,
})

const HistoryScopeSchema = z.object({ sampleId: Id, annotatorId: Id, adjudicated: z.boolean().default(false) })

const KappaSchema = z.object({ kappa: z.number().nullable(), po: z.number(), pe: z.number(), n: z.number().int() })
const MarkSummarySchema = z.object({
  n: z.number().int(),
  meanAbsFrames: z.number().nullable(),
  meanAbsMs: z.number().nullable(),
  meanSignedFrames: z.number().nullable(),
  maxAbsFrames: z.number().nullable(),
})
const MatchSchema = z.object({ laterality: z.boolean(), intensity: z.boolean() })
const CoderRefSchema = z.object({ id: Id, name: z.string() })

export const AgreementReportSchema = z.object({
  datasetId: Id.nullable(),
  coders: z.array(CoderRefSchema),
  samples: z.number().int(),
  fleissEmotion: KappaSchema.nullable(),
  pairs: z.array(
    z.object({
      a: CoderRefSchema,
      b: CoderRefSchema,
      samples: z.number().int(),
      emotion: KappaSchema,
      objectiveClass: KappaSchema,
      facs: z.array(MatchSchema.extend({ pooled: z.number().nullable(), meanOfEvents: z.number().nullable(), events: z.number().int() })),
      perAu: z.array(
        MatchSchema.extend({
          aus: z.array(
            z.object({
              key: z.string(),
              au: z.number().int(),
              both: z.number().int(),
              onlyA: z.number().int(),
              onlyB: z.number().int(),
              ratio: z.number(),
              kappa: z.number().nullable(),
            }),
          ),
        }),
      ),
      marks: z.object({ onset: MarkSummarySchema, apex: MarkSummarySchema, offset: MarkSummarySchema }),
      iou: z.object({ n: z.number().int(), mean: z.number().nullable(), atLeastHalf: z.number().int() }),
      disagreements: z.array(z.object({ sampleId: Id, subject: z.string(), name: z.string(), fields: z.array(z.string()) })),
    }),
  ),
})

export const CODES_FORMATS = ['csv', 'xlsx', 'eaf'] as const

export const annotationRequests = {
  'query:annotators.list': request(z.object({}), z.array(AnnotatorSchema)),
  'command:annotator.create': request(
    z.object({ name: z.string().trim().min(1), role: z.enum(ANNOTATOR_ROLES).exclude(['dataset']).default('coder'), initials: z.string().default('') }),
    AnnotatorSchema,
  ),
  'query:annotation.get': request(z.object({ sampleId: Id, viewerId: Id }), SampleCodingSchema),
  'command:annotation.update': request(
    z.object({ sampleId: Id, annotatorId: Id, patch: AnnotationPatchSchema, action: z.string().min(1).optional() }),
    CommandResultSchema,
  ),
  'command:annotation.clear': request(z.object({ sampleId: Id, annotatorId: Id }), CommandResultSchema),
  'command:annotation.undo': request(HistoryScopeSchema, CommandResultSchema),
  'command:annotation.redo': request(HistoryScopeSchema, CommandResultSchema),
  'query:annotation.history': request(HistoryScopeSchema, HistoryStateSchema),
  'command:annotation.adjudicate': request(
    z.object({
      sampleId: Id,
      adjudicatorId: Id,
      choice: z.union([z.object({ accept: Id }), z.object({ merge: AnnotationFieldsSchema })]),
    }),
    CommandResultSchema,
  ),
  'command:annotation.blind-mode': request(z.object({ on: z.boolean() }), z.object({ blindMode: z.boolean() })),
  'query:samples.next-uncoded': request(
    z.object({ annotatorId: Id, fromSampleId: Id.nullable(), direction: z.enum(['next', 'previous']).default('next'), filter: SampleFilterSchema.default({}) }),
    /** `at`: the sample's row and index in the filtered list (for the list to scroll to). */
    z.object({ sampleId: Id.nullable(), at: PositionedSampleSchema.nullable() }),
  ),
  'query:agreement.report': request(z.object({ datasetId: Id.optional(), annotatorIds: z.array(Id).min(2).optional() }), AgreementReportSchema),
  'command:codes.export': request(
    z.object({
      format: z.enum(CODES_FORMATS),
      /** csv/xlsx: the file (with that extension); eaf: a new or empty folder (one .eaf per sample). Optional with `download`. */
      target: z.string().min(1).optional(),
      datasetId: Id.optional(),
      annotatorIds: z.array(Id).optional(),
      overwrite: OverwriteSchema,
      download: DownloadFlagSchema,
    }),
    z.object({ files: z.array(z.string()), rows: z.number().int(), skipped: z.number().int(), downloads: DownloadsSchema }),
  ),
  'command:codes.import': request(
    z.object({ source: z.string().min(1), datasetId: Id.optional(), coder: z.string().min(1).optional() }),
    z.object({ imported: z.number().int(), unchanged: z.number().int(), coders: z.array(z.string()), problems: z.array(ImportProblemSchema) }),
  ),
} as const

export const annotationEvents = {
  /** An annotation changed (command, undo/redo, adjudication, import): refetch what shows it. */
  'event:annotation.changed': z.object({ sampleId: Id, annotatorId: Id, adjudicated: z.boolean(), action: z.string() }),
} as const
