import { join } from 'node:path'
import { Project } from '../../src/main/services/project/project'
import type { BatchSample, Predictor, PredictorModel, PredictorSource, SampleScope, SamplePrediction } from '../../src/main/services/batch/predictor'

/**
 * Batch test fixtures: a project of generated sample records (no media on disk) with dataset
 * labels, and a deterministic predictor whose probabilities depend only on (model, sample).
 */

export const FIXTURE_EMOTIONS = ['happiness', 'disgust', 'surprise', 'others', 'repression'] as const

export interface BatchProjectOptions {
  datasets?: string[]
  subjects?: number
  perSubject?: number
  /** Every `uncodedEvery`-th sample has no coding (0: all coded). */
  uncodedEvery?: number
}

export async function createBatchProject(file: string, options: BatchProjectOptions = {}): Promise<Project> {
  const { datasets = ['CASME II'], subjects = 3, perSubject = 4, uncodedEvery = 7 } = options
  const project = await Project.open(file, { create: true, keepBackups: 0 })
  project.transaction(() => {
    const labeller = project.ensureAnnotator('dataset labels', 'dataset')
    let n = 0
    for (const dataset of datasets) {
      const root = join('/data', dataset.replace(/\W+/g, '_'))
      const datasetId = project.insertDataset({ name: dataset, root, format: 'casme2', fps: 200, labelsPath: null, problems: [] })
      for (let s = 1; s <= subjects; s++) {
        for (let k = 1; k <= perSubject; k++) {
          n += 1
          const subject = `sub${String(s).padStart(2, '0')}`
          const name = `EP${String(k).padStart(2, '0')}_0${s}`
          const frameNumbers = Array.from({ length: 30 }, (_, i) => 100 + i)
          const sampleId = project.insertSample(datasetId, root, {
            subject,
            name,
            clip: { kind: 'frames', path: join(root, subject, name), fps: 200, frameCount: 30, width: 64, height: 64, frameNumbers, files: frameNumbers.map((f) => `img${f}.jpg`) },
          })
          if (uncodedEvery > 0 && n % uncodedEvery === 0) continue
          project.putAnnotation(
            { sampleId, annotatorId: labeller.id, adjudicated: false },
            {
              onset: 100, apex: 110, offset: 125, aus: { alternatives: [[]] }, emotion: FIXTURE_EMOTIONS[n % FIXTURE_EMOTIONS.length]!,
              objectiveClass: null, notes: '', confidence: null, status: 'done',
            },
          )
        }
      }
    }
  })
  return project
}

export function fixtureModel(id: string, classes: string[] = ['negative', 'positive', 'surprise'], protocol = 'synthetic'): PredictorModel {
  const card = { id, name: id, version: '1.0.0', classes, training: { protocol } }
  return {
    id,
    name: id,
    version: '1.0.0',
    sha256: hash64(id),
    classes,
    recipeId: 'onset-apex-tvl1-112',
    protocol,
    cardJson: JSON.stringify(card),
    path: `/models/${id}.onnx`,
  }
}

export interface DeterministicOptions {
  /** Milliseconds per prediction (to let a kill land mid-batch). */
  delayMs?: number
  /** Samples whose name contains this fail with `media/corrupt`. */
  failOn?: string
}

export class DeterministicPredictor implements Predictor {
  calls = 0
  constructor(
    readonly model: PredictorModel,
    private readonly options: DeterministicOptions = {},
  ) {}

  async predictSample(sample: BatchSample, { signal }: { signal: AbortSignal; summaries: boolean; scope: SampleScope }): Promise<SamplePrediction> {
    this.calls += 1
    if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs))
    if (signal.aborted) throw new Error('aborted')
    if (this.options.failOn && sample.name.includes(this.options.failOn)) throw new Error(`frame 112 of ${sample.name} is unreadable`)
    const raw = this.model.classes.map((c) => 1 + (parseInt(hash64(`${this.model.id}/${sample.dataset}/${sample.subject}/${sample.name}/${c}`).slice(0, 6), 16) % 1000))
    const sum = raw.reduce((a, b) => a + b, 0)
    return {
      probabilities: raw.map((r) => r / sum),
      provider: 'cpu',
      timings: { preprocessMs: 1.25, inferenceMs: 0.5, totalMs: 1.75 },
      frames: sample.coded?.apex != null
        ? { onset: sample.coded.onset ?? 100, apex: sample.coded.apex, offset: sample.coded.offset, source: 'coded' }
        : { onset: 100, apex: 115, offset: null, source: 'suggested' },
      summaries: [{ name: 'flow magnitude per frame', values: [0, 0.5, -0.25] }],
    }
  }
}

export function deterministicSource(models: PredictorModel[], options: DeterministicOptions = {}): PredictorSource & { predictors: DeterministicPredictor[] } {
  const predictors = models.map((m) => new DeterministicPredictor(m, options))
  return {
    predictors,
    async resolve(refs) {
      return refs.map((ref) => {
        const found = predictors.find((p) => p.model.id === ref)
        if (!found) throw new Error(`no fixture model ${ref}`)
        return found
      })
    },
  }
}

/** A stable 64-hex-digit pseudo hash (not cryptographic) for fixture sha256 fields. */
function hash64(text: string): string {
  let out = ''
  for (let round = 0; out.length < 64; round++) {
    let h = 0x811c9dc5 ^ round
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0
    out += h.toString(16).padStart(8, '0')
  }
  return out.slice(0, 64)
}
