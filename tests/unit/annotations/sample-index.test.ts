import { afterEach, describe, expect, it } from 'vitest'
import { parseAus, primaryAus } from '@shared/domain/au'
import { annotationFields, deriveSampleStatus, hasContent, type Annotation, type AnnotationFields, type Annotator } from '@shared/domain/annotation'
import type { SampleFilter, SampleSummary } from '@shared/domain/project'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { projectWithSamples, scratchDir } from '../project/project-fixture'

let cleanup: () => void = () => {}
afterEach(() => cleanup())

/**
 * The browser rows as the studio computed them before the SQL index (every sample and annotation
 * loaded, filtered in TypeScript): the oracle the index must agree with on every filter and viewer.
 */
function referenceList(coding: CodingService, filter: SampleFilter, viewerId?: number): SampleSummary[] {
  const { project } = coding
  const viewer = viewerId === undefined ? undefined : project.getAnnotator(viewerId)
  const annotators = new Map(project.listAnnotators().map((a) => [a.id, a]))
  const filterVisible = (all: Annotation[], v: Annotator) =>
    !coding.blindMode || v.role === 'adjudicator' || all.some((a) => a.adjudicated) ? all : all.filter((a) => a.annotatorId === v.id)
  const statusFor = (visible: Annotation[]) =>
    deriveSampleStatus(visible.filter((a) => a.adjudicated || annotators.get(a.annotatorId)?.role === 'coder').map((a) => ({ adjudicated: a.adjudicated, fields: annotationFields(a) })))
  const out: SampleSummary[] = []
  for (const sample of project.listSampleRows(filter.datasetId)) {
    if (filter.subject !== undefined && sample.subject !== filter.subject) continue
    const all = project.annotationsForSample(sample.id)
    const visible = viewer ? filterVisible(all, viewer) : coding.blindMode && !all.some((a) => a.adjudicated) ? [] : all
    const status = statusFor(visible)
    if (filter.status !== undefined && status !== filter.status) continue
    const content = visible.filter((a) => hasContent(a))
    if (filter.emotion !== undefined && !content.some((a) => a.emotion === filter.emotion)) continue
    if (filter.au !== undefined && !content.some((a) => primaryAus(a.aus).some((c) => c.au === filter.au))) continue
    out.push({
      id: sample.id,
      datasetId: sample.datasetId,
      subject: sample.subject,
      name: sample.name,
      clipKind: sample.clip.kind,
      fps: sample.clip.fps,
      frameCount: sample.clip.frameCount,
      firstFrame: sample.firstFrame,
      lastFrame: sample.lastFrame,
      status,
      coders: new Set(all.filter((a) => !a.adjudicated && annotators.get(a.annotatorId)?.role === 'coder' && hasContent(a)).map((a) => a.annotatorId)).size,
      mine: viewer ? (all.find((a) => a.annotatorId === viewer.id && !a.adjudicated) ?? null) : null,
      datasetLabel: visible.find((a) => annotators.get(a.annotatorId)?.role === 'dataset') ?? null,
    })
  }
  return out
}

/** A small deterministic generator (mulberry32) so the mixed codings are the same on every run. */
function rng(seed: number): () => number {
  let t = seed
  return () => {
    t = (t + 0x6d2b79f5) | 0
    let r = Math.imul(t ^ (t >>> 15), 1 | t)
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296
  }
}

const EMPTY: AnnotationFields = { onset: null, apex: null, offset: null, aus: { alternatives: [[]] }, emotion: null, objectiveClass: null, notes: '', confidence: null, status: 'draft' }

/** Codings covering every content rule: marks only, AUs only, alternatives, white-space notes, confidence only, disagreements. */
function randomFields(next: () => number): AnnotationFields {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!
  const kind = pick(['marks', 'aus', 'emotion', 'blank-notes', 'notes', 'confidence-only', 'alternatives', 'full'] as const)
  const onset = 10 + Math.floor(next() * 10)
  switch (kind) {
    case 'marks':
      return { ...EMPTY, onset, apex: onset + 5 + Math.floor(next() * 8), offset: onset + 20 }
    case 'aus':
      return { ...EMPTY, aus: parseAus(pick(['12', 'L12', '4+10', '1+2'])).value }
    case 'emotion':
      return { ...EMPTY, emotion: pick(['happiness', 'disgust', 'surprise']) }
    case 'blank-notes':
      return { ...EMPTY, notes: pick([' ', '\n\t', '\u00a0', '\u3000 \ufeff']) }
    case 'notes':
      return { ...EMPTY, notes: pick(['brows', ' x ']) }
    case 'confidence-only':
      return { ...EMPTY, confidence: 0.5 }
    case 'alternatives':
      return { ...EMPTY, aus: parseAus(pick(['4 or 10', '12 or 14'])).value }
    case 'full':
      return { ...EMPTY, onset, apex: onset + 6, offset: onset + 20, aus: parseAus(pick(['12', 'R12', '4+L10'])).value, emotion: pick(['happiness', 'disgust']) }
  }
}

async function mixedProject(seed: number) {
  const s = scratchDir()
  cleanup = s.cleanup
  const { project, sampleIds } = await projectWithSamples(s.dir, 3, 6)
  const coding = new CodingService(project)
  const kim = coding.createAnnotator('Kim', 'coder')
  const lee = coding.createAnnotator('Lee', 'coder')
  const ada = coding.createAnnotator('Ada', 'adjudicator')
  const labels = project.transaction(() => project.createAnnotator('CASME II labels', 'dataset'))
  const next = rng(seed)
  project.transaction(() => {
    for (const id of sampleIds) {
      if (next() < 0.5) project.putAnnotation({ sampleId: id, annotatorId: labels.id, adjudicated: false }, { ...EMPTY, emotion: 'happiness', onset: 12, offset: 40 })
      if (next() < 0.7) project.putAnnotation({ sampleId: id, annotatorId: kim.id, adjudicated: false }, randomFields(next))
      if (next() < 0.6) project.putAnnotation({ sampleId: id, annotatorId: lee.id, adjudicated: false }, randomFields(next))
      if (next() < 0.15) project.putAnnotation({ sampleId: id, annotatorId: ada.id, adjudicated: true }, next() < 0.5 ? randomFields(next) : EMPTY)
    }
  })
  return { project, coding, sampleIds, kim, lee, ada, labels }
}

const FILTERS: SampleFilter[] = [
  {},
  { subject: 'sub02' },
  { status: 'uncoded' },
  { status: 'coded' },
  { status: 'disputed' },
  { status: 'adjudicated' },
  { emotion: 'happiness' },
  { emotion: 'disgust', subject: 'sub01' },
  { au: 12 },
  { au: 10 },
  { au: 14 },
]

describe('sample index (the dataset browser as SQL queries)', () => {
  it('lists exactly what the full in-memory computation did, for every filter, viewer and blind mode', async () => {
    for (const seed of [1, 2]) {
      const { coding, kim, ada, labels } = await mixedProject(seed)
      for (const blind of [false, true]) {
        coding.setBlindMode(blind)
        for (const viewer of [undefined, kim.id, ada.id, labels.id]) {
          for (const filter of FILTERS) {
            const datasetFilter = { ...filter, datasetId: coding.project.listDatasets()[0]!.id }
            expect(coding.listSamples(filter, viewer), JSON.stringify({ seed, blind, viewer, filter })).toEqual(referenceList(coding, filter, viewer))
            expect(coding.listSamples(datasetFilter, viewer)).toEqual(referenceList(coding, datasetFilter, viewer))
          }
        }
      }
      cleanup()
    }
  })

  it('answers windows, counts, subjects and positions without building the list', async () => {
    const { coding, kim } = await mixedProject(4)
    const datasetId = coding.project.listDatasets()[0]!.id
    const all = referenceList(coding, { datasetId }, kim.id)
    const page = coding.sampleWindow({ datasetId }, kim.id, { offset: 5, limit: 4, facets: true, sampleId: all[9]!.id })
    expect(page.total).toBe(18)
    expect(page.rows).toEqual(all.slice(5, 9))
    expect(page.facets!.subjects).toEqual(['sub01', 'sub02', 'sub03'])
    const counts = { uncoded: 0, coded: 0, disputed: 0, adjudicated: 0 }
    for (const r of all) counts[r.status] += 1
    expect(page.facets!.counts).toEqual(counts)
    expect(page.current).toEqual({ row: all[9], index: 9 })
    // beyond the end: no rows, the total still right
    expect(coding.sampleWindow({ datasetId }, kim.id, { offset: 40, limit: 10 })).toMatchObject({ total: 18, rows: [], facets: null, current: null })

    const disputed = referenceList(coding, { datasetId, status: 'disputed' }, kim.id)
    expect(disputed.length).toBeGreaterThan(1)
    const located = coding.index.locate(disputed[1]!.id, { datasetId, status: 'disputed' }, kim.id)
    expect(located).toEqual({ row: disputed[1], index: 1 })
    const outside = all.find((r) => r.status !== 'disputed')!
    expect(coding.index.locate(outside.id, { datasetId, status: 'disputed' }, kim.id)).toEqual({ row: outside, index: null })
    expect(coding.index.locate(99_999, {}, kim.id)).toBeNull()
  })

  it('steps J/K through the filtered list with wrap-around, and N to the same sample the full list gave', async () => {
    const { coding, kim, lee } = await mixedProject(5)
    const filter = { subject: 'sub02' }
    const rows = referenceList(coding, filter, kim.id)
    const ids = rows.map((r) => r.id)
    expect(coding.neighbour(ids[0]!, 'next', filter, kim.id)).toEqual({ sampleId: ids[1], at: { row: rows[1], index: 1 } })
    expect(coding.neighbour(ids.at(-1)!, 'next', filter, kim.id).sampleId).toBe(ids[0])
    expect(coding.neighbour(ids[0]!, 'previous', filter, kim.id).sampleId).toBe(ids.at(-1))
    // from a sample the filter leaves out (or none): the first / last of the list
    const other = referenceList(coding, { subject: 'sub01' }, kim.id)[0]!.id
    expect(coding.neighbour(other, 'next', filter, kim.id).sampleId).toBe(ids[0])
    expect(coding.neighbour(null, 'previous', filter, kim.id).sampleId).toBe(ids.at(-1))
    expect(coding.neighbour(null, 'next', { status: 'adjudicated', subject: 'nobody' }, kim.id)).toEqual({ sampleId: null, at: null })

    // next uncoded: the old answer (walk the full list from the current sample, no wrap) for every start
    for (const coder of [kim.id, lee.id]) {
      for (const f of [{}, { subject: 'sub03' }, { status: 'coded' as const }]) {
        const list = referenceList(coding, f, coder)
        for (const direction of ['next', 'previous'] as const) {
          const ordered = direction === 'next' ? list : [...list].reverse()
          for (const from of [null, ...coding.listSamples({}, coder).map((r) => r.id)]) {
            const start = from === null ? -1 : ordered.findIndex((r) => r.id === from)
            const expected = ordered.slice(start + 1).find((r) => !r.mine || !hasContent(r.mine))?.id ?? null
            expect(coding.nearestUncoded(coder, from, direction, f), JSON.stringify({ coder, f, direction, from })).toBe(expected)
          }
        }
      }
    }
  })

  it('follows every write, whoever makes it: commands, direct writes, removals, imports of samples', async () => {
    const { project, coding, sampleIds, kim, lee } = await mixedProject(6)
    const s = sampleIds[0]!
    coding.clear(s, kim.id)
    coding.clear(s, lee.id)
    expect(coding.index.row(s, kim.id)!.status).toBe('uncoded')
    coding.update(s, kim.id, { emotion: 'happiness' })
    expect(coding.sampleUpdate(s, kim.id)).toMatchObject({ viewerId: kim.id, row: { id: s, status: 'coded', coders: 1, mine: { emotion: 'happiness' } } })
    // a write that bypasses the coding service (codes import, another tool on the same connection)
    project.transaction(() => project.putAnnotation({ sampleId: s, annotatorId: lee.id, adjudicated: false }, { ...EMPTY, emotion: 'disgust' }))
    expect(coding.index.row(s, kim.id)!.status).toBe('disputed')
    expect(coding.sampleUpdate(s, kim.id).counts).toEqual(coding.sampleWindow({ datasetId: coding.index.row(s, kim.id)!.datasetId }, kim.id, { offset: 0, limit: 1, facets: true }).facets!.counts)

    // a second dataset: new samples appear, removed ones go
    const root = '/data/SAMM'
    const datasetId = project.transaction(() => {
      const id = project.insertDataset({ name: 'SAMM', root, format: 'samm', fps: 200, labelsPath: null, problems: [] })
      project.insertSample(id, root, { subject: '006', name: '006_1_2', clip: { kind: 'frames', path: `${root}/006/006_1_2`, fps: 200, frameCount: 3, width: 4, height: 4, frameNumbers: [1, 2, 3], files: ['a', 'b', 'c'] } })
      return id
    })
    expect(coding.sampleWindow({ datasetId }, kim.id, { offset: 0, limit: 10 })).toMatchObject({ total: 1, rows: [{ name: '006_1_2', status: 'uncoded' }] })
    expect(coding.listSamples({}, kim.id)).toEqual(referenceList(coding, {}, kim.id))
    project.transaction(() => project.deleteDataset(datasetId))
    expect(coding.sampleWindow({ datasetId }, kim.id, { offset: 0, limit: 10 }).total).toBe(0)
    // a second service on the same connection shares the index
    expect(new CodingService(project).listSamples({}, lee.id)).toEqual(referenceList(coding, {}, lee.id))
    // a coder's role changed under the index (by another tool): every sample is stale at once
    project.database.db.prepare("UPDATE annotators SET role = 'dataset' WHERE id = ?").run(lee.id)
    expect(coding.listSamples({}, kim.id)).toEqual(referenceList(coding, {}, kim.id))
    expect(coding.index.row(s, kim.id)!.status).toBe('coded')
  })
})
