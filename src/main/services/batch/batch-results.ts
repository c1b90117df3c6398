/**
 * The open project's batches as the app shows and exports them: the job list, per-item errors,
 * predictions, training sets and evaluation reports written to files. The handlers call it in one
 * line; the running of batches is `BatchService`'s.
 */
import { resolve } from 'node:path'
import type { z } from 'zod'
import { formatSelection } from '@shared/domain/batch'
import type { Requests } from '@shared/ipc'
import type { Downloads } from '../files/downloads'
import type { InferenceService } from '../inference'
import type { JobManager } from '../jobs'
import type { MediaService } from '../media'
import type { ProjectService } from '../project/projects'
import { evaluate } from '../evaluation/evaluate'
import { exportEvaluation } from '../evaluation/export'
import { inputsFromJob } from '../evaluation/sources'
import { exportPredictions } from '../export/predictions'
import { exportTrainingSet } from '../export/training-set'
import type { BatchService } from './batch-service'
import { InferenceInputSource } from './inference-source'
import { BatchStore } from './store'

type Input<C extends keyof Requests> = z.output<Requests[C]['input']>
type Output<C extends keyof Requests> = z.output<Requests[C]['output']>

export interface BatchResultsDeps {
  batch: BatchService
  jobs: JobManager
  projects: ProjectService
  inference: InferenceService
  frames: MediaService
  downloads: Downloads
}

export class BatchResults {
  constructor(private readonly deps: BatchResultsDeps) {}

  jobs(): Output<'query:batch.jobs'> {
    const { batch } = this.deps
    return batch.jobs().map((job) => ({
      jobId: job.jobId,
      state: job.state,
      total: job.total,
      done: job.done,
      failed: job.failed,
      models: job.params.modelRefs,
      scope: `${formatSelection(job.params.selection)}${job.params.shard ? `, shard ${job.params.shard.index}/${job.params.shard.count}` : ''}`,
      createdAt: job.createdAt,
      active: batch.isActive(job.jobId),
    }))
  }

  errors({ jobId }: Input<'query:batch.errors'>): Output<'query:batch.errors'> {
    return this.store().itemErrors(jobId)
  }

  /** Writes a batch's predictions to `path`, or (with `download`) to a file offered once as a download. */
  async exportPredictions({ jobId, format, path, summaries, overwrite, download }: Input<'command:batch.export'>): Promise<Output<'command:batch.export'>> {
    const { downloads } = this.deps
    const target = await downloads.target(path, download, `predictions-${jobId.slice(0, 8)}.${format}`)
    const { rows } = await exportPredictions(this.store(), jobId, format, target, { summaries, overwrite })
    return { path: target, rows, downloads: downloads.offerAll([target], download) }
  }

  /** Writes a training set as a job (progress, cancel). */
  exportTrainingSet({ models, selection, labels, outDir, overwrite }: Input<'command:batch.export-training-set'>): Output<'command:batch.export-training-set'> {
    const source = new InferenceInputSource(this.deps.inference, this.deps.frames)
    const store = this.store()
    return this.deps.jobs.start('export.training-set', (ctx) =>
      exportTrainingSet(store, source, { outDir: resolve(outDir), overwrite, modelRefs: models, selection, labels, signal: ctx.signal, onProgress: (done, total) => ctx.progress(done, total) }),
    )
  }

  evaluation({ jobId }: Input<'query:batch.evaluation'>): Output<'query:batch.evaluation'> {
    return evaluate(inputsFromJob(this.store(), jobId))
  }

  async exportEvaluation({ jobId, format, path, overwrite, download }: Input<'command:batch.export-evaluation'>): Promise<Output<'command:batch.export-evaluation'>> {
    const { downloads, projects } = this.deps
    const target = await downloads.target(path, download, `evaluation-${jobId.slice(0, 8)}.${format}`)
    const title = `Evaluation of batch ${jobId.slice(0, 8)} — ${projects.require().project.name}`
    const files = await exportEvaluation(this.evaluation({ jobId }), format, target, title, { overwrite })
    return { path: target, files, downloads: downloads.offerAll(files, download) }
  }

  private store(): BatchStore {
    return new BatchStore(this.deps.projects.require().project)
  }
}
