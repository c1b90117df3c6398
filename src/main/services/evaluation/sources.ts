import { StudioError } from '@shared/ipc/errors'
import type { BatchStore } from '../batch/store'
import { parseCsv, restoreNeutralised } from '../formats/csv'
import type { EvaluationInput } from './evaluate'

/** Evaluation inputs from a batch job in the project. */
export function* inputsFromJob(store: BatchStore, jobId: string): Generator<EvaluationInput> {
  for (const row of store.iteratePredictions(jobId)) {
    yield {
      dataset: row.dataset,
      subject: row.subject,
      sample: row.sample,
      sampleId: row.sampleId,
      modelId: row.modelId,
      protocol: row.modelProtocol,
      trainingSubjects: row.modelTrainingSubjects,
      classes: row.modelClasses,
      classSet: row.modelClassSet,
      codedEmotion: row.codedEmotion,
      predicted: row.predictedClass,
    }
  }
}

const REQUIRED = ['dataset', 'subject', 'sample', 'model_id', 'predicted_label'] as const

/**
 * Evaluation inputs from predictions CSVs (ours, e.g. the shards of a cluster run). The truth
 * is the project's current reference coding of each sample (so recoding a sample updates the
 * figures); the model's classes and training protocol come from the project's copy of its card,
 * else from the file's `p_<class>` columns.
 */
export function inputsFromPredictionsCsv(store: BatchStore, files: readonly { name: string; text: string }[]): EvaluationInput[] {
  const codings = new Map<string, { sampleId: number; emotion: string | null }>()
  for (const s of store.iterateSamples({ coded: 'any' })) codings.set(key(s.dataset, s.subject, s.name), { sampleId: s.sampleId, emotion: s.coded?.emotion ?? null })
  const models = store.modelsByCardId()
  const inputs: EvaluationInput[] = []
  // (model, sample) → where it was first read; a second row would count the sample twice.
  const seen = new Map<string, string>()
  const duplicates: string[] = []
  for (const file of files) {
    const [header, ...rows] = parseCsv(file.text)
    if (!header) throw new StudioError('invalid-input', `${file.name} is empty`)
    const column = new Map(header.map((name, i) => [name, i]))
    const missing = REQUIRED.filter((c) => !column.has(c))
    if (missing.length) throw new StudioError('invalid-input', `${file.name} is not a predictions CSV: no column ${missing.join(', ')}`)
    const probabilityClasses = header.filter((h) => h.startsWith('p_')).map((h) => h.slice(2))
    rows.forEach((cells, r) => {
      if (cells.length === 1 && cells[0] === '') return
      const get = (name: string) => restoreNeutralised(cells[column.get(name) ?? -1] ?? '')
      const [dataset, subject, sample, modelId] = [get('dataset'), get('subject'), get('sample'), get('model_id')]
      const coding = codings.get(key(dataset, subject, sample))
      if (!coding) throw new StudioError('not-found', `${file.name}, line ${r + 2}: sample ${dataset}/${subject}/${sample} is not in this project`)
      const where = `${file.name}, line ${r + 2}`
      const rowKey = `${modelId}\u0000${key(dataset, subject, sample)}`
      const first = seen.get(rowKey)
      if (first !== undefined) {
        duplicates.push(`${modelId} on ${dataset}/${subject}/${sample} (${first} and ${where})`)
        return
      }
      seen.set(rowKey, where)
      const card = models.get(modelId)
      const classes = card?.classes.length ? card.classes : probabilityClasses.filter((c) => get(`p_${c}`) !== '')
      const predicted = get('predicted_label')
      inputs.push({
        dataset, subject, sample, sampleId: coding.sampleId, modelId,
        protocol: card?.protocol ?? '',
        trainingSubjects: card?.trainingSubjects ?? null,
        classes,
        // the class set belongs to the card's class order: not taken when the classes came from the file
        classSet: card?.classes.length ? card.classSet : null,
        codedEmotion: coding.emotion,
        predicted: predicted === '' ? null : predicted,
      })
    })
  }
  if (duplicates.length > 0) {
    const shown = duplicates.slice(0, DUPLICATES_SHOWN).join('; ')
    const more = duplicates.length > DUPLICATES_SHOWN ? `; and ${duplicates.length - DUPLICATES_SHOWN} more` : ''
    throw new StudioError('invalid-input', `${duplicates.length} duplicate (model, sample) rows: each sample must be predicted once per model, or it counts twice. First: ${shown}${more}. Pass each predictions CSV once (a cluster run's shards do not overlap)`)
  }
  return inputs
}

const DUPLICATES_SHOWN = 3

function key(dataset: string, subject: string, sample: string): string {
  return `${dataset}\u0000${subject}\u0000${sample}`
}
