/**
 * Big CASME II-shaped datasets from a few generated clips, for the benches that run `me-studio
 * predict` as a user does: the base clips hard-linked round-robin into `sub<NN>/EP<NN>_<NN>`
 * folders (50 samples a subject), with the label sheet and a `ground-truth.json` listing every
 * sample (what `bench/python_pipeline.py` reads). Every sample is a distinct clip for the studio, as
 * in a real dataset, so a one-pass batch never revisits one.
 */
import { linkSync, mkdirSync, readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MediaService } from '../src/main/services/media'
import { importDataset } from '../src/main/services/project/import'
import { Project } from '../src/main/services/project/project'
import { SYNTH_LABEL_FILES } from '../src/main/services/synth/generate'
import { writeCasme2Sheet } from '../src/main/services/synth/sheets'
import type { SampleTruth } from '../src/main/services/synth/truth'

const SAMPLES_PER_SUBJECT = 50

export async function replicatedDataset(base: { dir: string; samples: SampleTruth[] }, dir: string, count: number): Promise<SampleTruth[]> {
  const rows: SampleTruth[] = []
  for (let i = 0; i < count; i++) {
    const source = base.samples[i % base.samples.length]!
    const label = String(Math.floor(i / SAMPLES_PER_SUBJECT) + 1).padStart(2, '0')
    const sample = `EP${String((i % SAMPLES_PER_SUBJECT) + 1).padStart(2, '0')}_${source.sample.split('_')[1]}`
    const folder = join(dir, `sub${label}`, sample)
    mkdirSync(folder, { recursive: true })
    for (const file of readdirSync(join(base.dir, source.path))) linkSync(join(base.dir, source.path, file), join(folder, file))
    rows.push({ ...source, subject: `sub${label}`, subjectLabel: label, sample, path: `sub${label}/${sample}` })
  }
  await writeCasme2Sheet(join(dir, SYNTH_LABEL_FILES.casme2), rows)
  await writeFile(join(dir, 'ground-truth.json'), JSON.stringify({ samples: rows }))
  return rows
}

/** `replicatedDataset` at `dir`, imported into a new project at `projectPath` (closed again). */
export async function replicatedProject(base: { dir: string; samples: SampleTruth[] }, dir: string, count: number, projectPath: string): Promise<void> {
  await replicatedDataset(base, dir, count)
  const project = await Project.open(projectPath, { create: true, keepBackups: 0 })
  try {
    await importDataset(project, new MediaService(), dir)
  } finally {
    project.close()
  }
}
