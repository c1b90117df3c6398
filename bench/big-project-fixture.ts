/**
 * A project of N samples in seconds, for the big-project bench and e2e spec: a small synthetic
 * CASME II dataset (2 subjects × 2 clips, 64×64) is imported for real, then N − 4 more sample rows
 * are inserted through the project service pointing at those same 4 clips (rows share clip paths,
 * as hard-linked copies would share their data), 50 per subject. Two coders code most samples,
 * disagreeing on some (disputed samples, Agreement disagreement rows); a third of the samples stay
 * uncoded for both, spread through the list.
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/big-project-fixture.ts --out <dir> [--samples 5000] [--src <repo root>]
 *
 * `--src` builds the project with another checkout's services (the bench compares against main).
 * Prints the project path.
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

import type * as ProjectModule from '../src/main/services/project/project'
import type * as ImportModule from '../src/main/services/project/import'
import type * as MediaModule from '../src/main/services/media/media-service'
import type * as SynthModule from '../src/main/services/synth/generate'
import type * as AuModule from '../src/shared/domain/au'

const load = async <T>(src: string, path: string) => (await import(pathToFileURL(join(src, path)).href)) as T

export interface BigProject {
  path: string
  samples: number
  datasetRoot: string
  coders: { kim: number; lee: number }
}

const PER_SUBJECT = 50

export async function generateBigProject(outDir: string, samples: number, src = resolve(import.meta.dirname, '..')): Promise<BigProject> {
  const { Project } = await load<typeof ProjectModule>(src, 'src/main/services/project/project.ts')
  const { importDataset } = await load<typeof ImportModule>(src, 'src/main/services/project/import.ts')
  const { MediaService } = await load<typeof MediaModule>(src, 'src/main/services/media/media-service.ts')
  const { generateSyntheticDataset } = await load<typeof SynthModule>(src, 'src/main/services/synth/generate.ts')
  const { parseAus } = await load<typeof AuModule>(src, 'src/shared/domain/au.ts')

  mkdirSync(outDir, { recursive: true })
  const datasetRoot = join(outDir, 'clips')
  await generateSyntheticDataset({ outDir: datasetRoot, format: 'casme2', subjects: 2, samplesPerSubject: 2, width: 64, height: 64, durationSeconds: [0.2, 0.25], seed: 7 })
  const path = join(outDir, `big-${samples}.meproj`)
  const project = await Project.open(path, { create: true, keepBackups: 0 })
  try {
    const imported = await importDataset(project, new MediaService({}), datasetRoot)
    const clips = project.listSampleRows(imported.datasetId)
    const coders = project.transaction(() => ({
      kim: project.createAnnotator('Kim', 'coder').id,
      lee: project.createAnnotator('Lee', 'coder').id,
    }))
    project.transaction(() => {
      const ids = clips.map((c) => c.id)
      for (let i = clips.length; i < samples; i++) {
        const clip = clips[i % clips.length]!
        const subject = `s${String(Math.floor(i / PER_SUBJECT) + 1).padStart(4, '0')}`
        const name = `EP${String(i % PER_SUBJECT).padStart(2, '0')}_${String(i).padStart(5, '0')}`
        ids.push(project.insertSample(imported.datasetId, datasetRoot, { subject, name, clip: clip.clip }))
      }
      const fields = (clip: (typeof clips)[number], emotion: string, apexShift: number, aus: string) => {
        const first = clip.firstFrame ?? 0
        return {
          onset: first + 2,
          apex: first + 10 + apexShift,
          offset: first + 20,
          aus: parseAus(aus).value,
          emotion,
          objectiveClass: null,
          notes: '',
          confidence: null,
          status: 'done' as const,
        }
      }
      ids.forEach((sampleId, i) => {
        const clip = clips[i % clips.length]!
        if (i % 3 === 2) return // uncoded for both
        project.putAnnotation({ sampleId, annotatorId: coders.kim, adjudicated: false }, fields(clip, 'happiness', 0, '6+12'))
        // Lee codes every other coded sample; on a third of those the emotion and an AU differ.
        if (i % 2 === 0) project.putAnnotation({ sampleId, annotatorId: coders.lee, adjudicated: false }, fields(clip, i % 3 === 0 ? 'happiness' : 'surprise', 1, i % 3 === 0 ? '6+12' : '1+2'))
      })
    })
    return { path, samples: project.listSampleRows().length, datasetRoot, coders }
  } finally {
    project.close()
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`)
    return i >= 0 ? process.argv[i + 1] : undefined
  }
  const out = arg('out')
  if (!out) {
    process.stderr.write('usage: big-project-fixture.ts --out <dir> [--samples N] [--src <repo root>]\n')
    process.exit(2)
  }
  const made = await generateBigProject(resolve(out), Number(arg('samples') ?? 5000), arg('src') ? resolve(arg('src')!) : undefined)
  process.stdout.write(`${made.path}\n`)
}
