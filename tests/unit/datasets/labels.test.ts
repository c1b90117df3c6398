import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalEmotion, megcClassOf, type ImportProblem, type ScannedSample } from '@shared/domain/dataset'
import { labelsFromFolders, matchRow, parseDelimited, readLabelFile, readSheets, readNamingRules, splitExpressions, validateLabels } from '../../../src/main/services/datasets'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'me-labels-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function writeXlsx(name: string, sheets: Record<string, unknown[][]>): Promise<string> {
  const workbook = new ExcelJS.Workbook()
  for (const [sheetName, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(sheetName)
    for (const row of rows) sheet.addRow(row)
  }
  const path = join(dir, name)
  await workbook.xlsx.writeFile(path)
  return path
}

const codes = (problems: ImportProblem[], row?: number) => problems.filter((p) => row === undefined || p.row === row).map((p) => p.code)

function fakeSample(subject: string, name: string, frameNumbers: number[], fps = 200): ScannedSample {
  return {
    dataset: 'casme2',
    subject,
    name,
    clip: { kind: 'frames', path: `/data/${subject}/${name}`, fps, frameCount: frameNumbers.length, width: 64, height: 64, frameNumbers },
  }
}

describe('label sheets', () => {
  it('reads a CASME II coding sheet with every oddity, reporting per row and never throwing', async () => {
    const path = await writeXlsx('CASME2-coding-odd.xlsx', {
      Sheet1: [
        ['Subject', 'Filename', null, 'OnsetFrame', 'ApexFrame', 'OffsetFrame', null, 'Action Units', 'Estimated Emotion'],
        ['01', 'EP02_01f', null, 46, 59, 86, null, '12', 'happiness'], // row 2: clean
        ['01', 'EP03_02', null, 131, '/', 161, null, '4+7', 'disgust'], // row 3: apex '/'
        [2, 'EP01_11f', null, 10, 20, 0, null, 'L10', 'repression'], // row 4: unpadded subject, offset 0
        ['02', 'EP09_03', null, 5, null, null, null, 'R12 or 14', 'Others'], // row 5: empty apex/offset, "or"
        ['03', 'EP01_01', null, '', 30, 40, null, '1+2', 'surprise'], // row 6: no onset → skipped
        ['03', 'EP02_02', null, 'x7', 30, 40, null, '1+2', 'surprise'], // row 7: bad onset → skipped
        [null, 'EP05_05', null, 10, 20, 30, null, '4', 'sadness'], // row 8: no subject → skipped
        ['03', 'EP06_06', null, 10, 20, 30, null, '4', 'bewildered'], // row 9: unknown emotion
        [],
        ['01', 'EP02_01f', null, 46, 59, 86, null, '12', 'happiness'], // row 11: duplicate of row 2
        [{ richText: [{ text: '0' }, { text: '4' }] }, 'EP12_01', null, { formula: '40+6', result: 46 }, 50, 60, null, 'L10', 'fear'], // row 12: rich text, formula
      ],
    })
    const sheet = await readLabelFile(path, 'casme2')
    expect(sheet.rows.map((r) => r.rowNumber)).toEqual([2, 3, 4, 5, 9, 11, 12])
    expect(sheet.rows[6]).toMatchObject({ subject: '04', onset: 46, apex: 50, auText: 'L10', emotion: 'fear' })
    expect(sheet.rows[0]).toMatchObject({ subject: '01', sample: 'EP02_01f', onset: 46, apex: 59, offset: 86, auText: '12', emotion: 'happiness' })
    expect(sheet.rows[1]!.apex).toBeNull()
    expect(sheet.rows[2]).toMatchObject({ subject: '2', offset: null })
    expect(sheet.rows[3]).toMatchObject({ apex: null, offset: null, emotion: 'others', auText: 'R12 or 14' })
    expect(codes(sheet.problems, 2)).toEqual([])
    expect(codes(sheet.problems, 3)).toEqual(['labels/apex-missing'])
    expect(codes(sheet.problems, 4)).toEqual(['labels/offset-missing'])
    expect(codes(sheet.problems, 5)).toEqual(['labels/apex-missing', 'labels/offset-missing', 'labels/ambiguous-au'])
    expect(codes(sheet.problems, 6)).toEqual(['labels/bad-frame-number'])
    expect(codes(sheet.problems, 7)).toEqual(['labels/bad-frame-number'])
    expect(codes(sheet.problems, 8)).toEqual(['labels/bad-row'])
    expect(codes(sheet.problems, 9)).toEqual(['labels/unknown-emotion'])
    expect(codes(sheet.problems, 11)).toEqual(['labels/duplicate-row'])
    expect(codes(sheet.problems, 12)).toEqual([])
  })

  it('finds SAMM’s header on row 13 below prose and keeps zero-padded ids', async () => {
    const prose = Array.from({ length: 12 }, (_, i) => [i === 0 ? 'SAMM micro-movement codes' : i === 3 ? 'Subject, Filename and frames are described below' : null])
    const path = await writeXlsx('SAMM_Micro_FACS_Codes_v2.xlsx', {
      FACS_Movement_Only: [
        ...prose,
        ['Subject', 'Filename', 'Inducement Code', 'Onset Frame', 'Apex Frame', 'Offset Frame', 'Duration', 'Type', 'Action Units', 'Notes', 'Estimated Emotion', 'Objective Classes'],
        ['006', '006_1_2', '1_2', 5562, 5588, 5604, 43, 'Micro - 1/2', 'R14A or 17', '', 'Contempt', 5],
        ['007', '007_3_1', '3_1', 100, 120, 140, 41, 'Micro - 1/2', '12', '', 'Happiness', 1],
      ],
    })
    const sheet = await readLabelFile(path, 'samm')
    expect(sheet.rows).toHaveLength(2)
    expect(sheet.rows[0]).toMatchObject({ rowNumber: 14, subject: '006', sample: '006_1_2', onset: 5562, apex: 5588, offset: 5604, emotion: 'contempt', objectiveClass: '5', expressionType: 'micro' })
    expect(codes(sheet.problems)).toEqual(['labels/ambiguous-au'])
  })

  it('reads CAS(ME)² without a header row and derives offset 0 as 2·apex − onset', async () => {
    const path = await writeXlsx('CAS(ME)^2code_final.xlsx', {
      naming: [['anger1', '0401']],
      CASMEcode_final: [
        [1, 'anger1_1', 557, 572, 0, '4+10', 'negative', 'micro-expression'],
        [1, 'anger1_2', 1000, 1010, 1030, '12', 'positive', 'macro-expression'],
      ],
    })
    const sheet = await readLabelFile(path, 'casme2-long')
    expect(sheet.rows).toHaveLength(2)
    expect(sheet.rows[0]).toMatchObject({ subject: '1', sample: 'anger1_1', onset: 557, apex: 572, offset: 587, expressionType: 'micro', emotion: 'negative' })
    expect(sheet.rows[1]!.expressionType).toBe('macro')
    expect(codes(sheet.problems)).toEqual(['labels/offset-derived'])
  })

  it('reads CAS(ME)²’s naming-rule sheets tolerantly: by name or by content, any order, padding and spacing', async () => {
    const path = await writeXlsx('CAS(ME)^2code_rules.xlsx', {
      CASMEcode_final: [
        [1, 'anger1_1', 557, 572, 608, '4+10', 'negative', 'micro-expression'],
        ['s17', 'disgust2_1', 10, 12, 14, '', 'others', 'micro-expression'],
        [9, 'happy3_1', 10, 12, 14, '', 'positive', 'micro-expression'],
      ],
      'Naming Rule1 ': [['Naming rule 1'], ['participant', 'folder'], [' 1', '015 '], [2, 's16'], ['3', 17, 'extra'], ['x', 5]],
      'naming_rule2': [['no.', 'name', 'code'], [1, 'anger1 ', 401], [2, 'disgust2', '0102'], [3, 'Happy3', ' 0503 ']],
    })
    const sheets = await readSheets(path)
    const rules = readNamingRules(sheets, sheets[0])
    expect([...rules.subjects]).toEqual([
      ['1', '15'],
      ['2', '16'],
      ['3', '17'],
    ])
    expect([...rules.videos]).toEqual([
      ['anger1', '0401'],
      ['disgust2', '0102'],
      ['happy3', '0503'],
    ])
    const sheet = await readLabelFile(path, 'casme2-long')
    expect(sheet.rows.map((r) => [r.subject, r.clipSubject ?? null, r.clipCode ?? null])).toEqual([
      ['1', '15', '0401'],
      ['s17', null, '0102'], // already a folder: not a participant number
      ['9', null, '0503'], // participant not in rule 1: the subject is used as written
    ])
    // Unnamed rule sheets are found by their content (rule 2 first: stem → code pairs).
    const unnamed = readNamingRules([{ name: 'codes', rows: [] }, { name: 'Sheet3', rows: [['disgust1', '0101']] }, { name: 'Sheet2', rows: [[4, 31]] }], { name: 'codes', rows: [] })
    expect([...unnamed.subjects]).toEqual([['4', '31']])
    expect([...unnamed.videos]).toEqual([['disgust1', '0101']])
  })

  it('matches CAS(ME)² rows by naming rules, folder name or video code, and splits long videos by onset', () => {
    const clip = (subject: string, name: string) => ({ ...fakeSample(subject, name, Array.from({ length: 100 }, (_, i) => i + 1), 30), dataset: 'casme2-long' as const })
    const samples = [clip('s15', '15_0101disgustingteeth'), clip('s15', '15_0401girlcrashing'), clip('s1', '1_0401other'), clip('s16', '16_0102eatingworms')]
    const row = (rowNumber: number, subject: string, sample: string, onset: number, hints: { clipSubject?: string; clipCode?: string } = {}) => ({
      rowNumber,
      subject,
      sample,
      onset,
      apex: onset + 2,
      offset: onset + 4,
      auText: '',
      emotion: 'negative',
      ...hints,
    })
    const name = (r: ReturnType<typeof row>) => matchRow(r, samples)?.name ?? null
    expect(name(row(1, '1', 'anger1_1', 5, { clipSubject: '15', clipCode: '0401' }))).toBe('15_0401girlcrashing')
    // A participant the rules map is never read as a folder number: no fallback to s1.
    expect(name(row(2, '1', 'fear1_1', 5, { clipSubject: '15' }))).toBeNull()
    expect(name(row(3, 's16', '16_0102eatingworms', 5))).toBe('16_0102eatingworms')
    expect(name(row(4, '16', '0102', 5))).toBe('16_0102eatingworms')
    expect(name(row(5, '16', '16_0102', 5))).toBe('16_0102eatingworms')
    expect(name(row(7, '16', '102', 5))).toBe('16_0102eatingworms') // padding lost
    expect(name(row(8, '15', 'disgusting', 5))).toBe('15_0101disgustingteeth')

    const rows = [row(2, '15', '0101', 40), row(3, '15', '0101', 10), row(4, '15', '0101', 40), row(5, '15', '0101', 25)]
    const { matches } = validateLabels(samples, rows)
    const split = splitExpressions('casme2-long', samples, matches)
    expect(split.samples.map((s) => s.name)).toEqual(['15_0101disgustingteeth#1', '15_0101disgustingteeth#2', '15_0101disgustingteeth#3', '15_0401girlcrashing', '1_0401other', '16_0102eatingworms'])
    expect(split.matches.map((m) => m.sample!.name)).toEqual(['15_0101disgustingteeth#3', '15_0101disgustingteeth#1', '15_0101disgustingteeth#3', '15_0101disgustingteeth#2'])
    expect(split.problems.map((p) => [p.code, p.row])).toEqual([['labels/duplicate-row', 4]])
    expect(split.samples[0]!.clip).toBe(samples[0]!.clip)
    // Other formats keep one sample per clip.
    expect(splitExpressions('casme2', samples, matches).samples).toBe(samples)
  })

  it('reads CAS(ME)³ Part A with objective classes and T/B AU prefixes', async () => {
    const path = await writeXlsx('cas(me)3_part_A_ME_label_JpgIndex_v2.xlsx', {
      label: [
        ['Subject', 'Filename', 'Onset', 'Apex', 'Offset', 'AU', 'Objective class', 'emotion'],
        ['spNO.1', 'a', 120, 131, 150, 'T1+T2', 2, 'surprise'],
        ['spNO.1', 'b', 10, 15, 20, 'B12', 1, 'happy'],
      ],
    })
    const sheet = await readLabelFile(path, 'casme3')
    expect(sheet.rows.map((r) => [r.subject, r.sample, r.auText, r.emotion, r.objectiveClass])).toEqual([
      ['spNO.1', 'a', 'T1+T2', 'surprise', '2'],
      ['spNO.1', 'b', 'B12', 'happiness', '1'],
    ])
    expect(sheet.problems).toEqual([])
  })

  it('reads csv (quotes, semicolons, BOM) and refuses unreadable files with a problem, not a crash', async () => {
    const csv = join(dir, 'labels.csv')
    await writeFile(csv, '\ufeffsubject;sample;onset;apex;offset;action_units;emotion\r\ns01;"s01_01";20;28;61;"4+7; L10";Disgust\r\ns02;s02_01;5;/;9;;\r\n')
    const sheet = await readLabelFile(csv, 'generic')
    expect(sheet.rows).toHaveLength(2)
    expect(sheet.rows[0]).toMatchObject({ subject: 's01', sample: 's01_01', onset: 20, apex: 28, offset: 61, auText: '4+7; L10', emotion: 'disgust' })
    expect(sheet.rows[1]).toMatchObject({ apex: null, auText: '', emotion: null })

    const notXlsx = join(dir, 'broken.xlsx')
    await writeFile(notXlsx, 'this is not a zip')
    await expect(readLabelFile(notXlsx, 'casme2')).rejects.toMatchObject({ code: 'sheet/unreadable' })
    const noHeader = await writeXlsx('noheader.xlsx', { Sheet1: [['a', 'b'], [1, 2]] })
    expect(codes((await readLabelFile(noHeader, 'casme2')).problems)).toEqual(['labels/no-header'])
  })

  it('parses delimited text', () => {
    expect(parseDelimited('a,b\n"x ""y""",\n')).toEqual([
      ['a', 'b'],
      ['x "y"', null],
    ])
    expect(parseDelimited('a\tb\n1\t2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ])
  })
})

describe('validation against scanned clips', () => {
  it('reports missing frames, wrong order, long intervals, unknown samples and unlabelled clips', () => {
    const samples = [
      fakeSample('sub01', 'EP01_01', [...Array.from({ length: 50 }, (_, i) => 100 + i), ...Array.from({ length: 50 }, (_, i) => 160 + i)]),
      fakeSample('sub02', 'EP02_02', Array.from({ length: 200 }, (_, i) => i + 1)),
      fakeSample('sub03', 'EP03_03', [1, 2, 3]),
    ]
    const row = (rowNumber: number, subject: string, sample: string, onset: number, apex: number | null, offset: number | null) => ({
      rowNumber,
      subject,
      sample,
      onset,
      apex,
      offset,
      auText: '',
      emotion: 'happiness',
    })
    const { matches, problems } = validateLabels(samples, [
      row(2, '01', 'EP01_01', 110, 120, 140), // clean (zero-padded subject matches sub01)
      row(3, '1', 'ep01_01', 140, 155, 170), // apex 155 is a dropped frame
      row(4, '01', 'EP01_01', 90, 120, 140), // onset before the clip
      row(5, '2', 'EP02_02', 50, 40, 60), // onset after apex
      row(6, '2', 'EP02_02', 10, 50, 190), // 905 ms at 200 fps
      row(7, '4', 'EP09_09', 1, 2, 3), // no such clip
      row(8, '3', 'EP03_03', 1, 2, 3), // Excel dropped the zero padding: still sub03
    ])
    expect(matches.map((m) => m.sample?.name ?? null)).toEqual(['EP01_01', 'EP01_01', 'EP01_01', 'EP02_02', 'EP02_02', null, 'EP03_03'])
    // Rows reported as errors are matched (the preview shows their clip) but never stored.
    expect(matches.map((m) => m.rejected)).toEqual([false, false, true, true, false, false, false])
    expect(codes(problems, 2)).toEqual([])
    expect(codes(problems, 3)).toEqual(['labels/missing-frames'])
    expect(codes(problems, 4)).toEqual(['labels/frames-outside-clip'])
    expect(codes(problems, 5)).toEqual(['labels/onset-after-apex'])
    expect(codes(problems, 6)).toEqual(['labels/too-long'])
    expect(codes(problems, 7)).toEqual(['labels/unknown-sample'])
    expect(codes(problems, 8)).toEqual([])
    expect(problems.filter((p) => p.code === 'dataset/sample-without-label')).toEqual([])
    expect(validateLabels(samples, []).problems.map((p) => [p.code, p.sample])).toEqual([
      ['dataset/sample-without-label', 'sub01/EP01_01'],
      ['dataset/sample-without-label', 'sub02/EP02_02'],
      ['dataset/sample-without-label', 'sub03/EP03_03'],
    ])
  })

  it('takes SMIC labels from folder names, without apex', () => {
    const sample = { ...fakeSample('s1', 's1_ne_01', [10, 11, 12, 13]), dataset: 'smic' as const, folderLabel: 'negative' }
    const sheet = labelsFromFolders([sample], 'smic')
    expect(sheet.rows).toEqual([{ rowNumber: 1, subject: 's1', sample: 's1_ne_01', onset: 10, apex: null, offset: 13, auText: '', emotion: 'negative', expressionType: 'micro' }])
  })

  it('maps emotions to the MEGC 2019 classes', () => {
    expect(['anger', 'Contempt', 'disgust', 'fear', 'sadness', 'repression'].map(megcClassOf)).toEqual(Array(6).fill('negative'))
    expect(megcClassOf('Happiness')).toBe('positive')
    expect(megcClassOf('happy')).toBe('positive')
    expect(megcClassOf('surprise')).toBe('surprise')
    expect(megcClassOf('others')).toBeNull()
    expect(megcClassOf(null)).toBeNull()
    expect(canonicalEmotion(' Others ')).toBe('others')
  })
})
