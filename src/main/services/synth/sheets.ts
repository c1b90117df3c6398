import { pinnedWorkbook } from '../formats/workbook'
import { writeFile } from 'node:fs/promises'
import type ExcelJS from 'exceljs'
import { pinZipTimestamps } from '../formats/zip-timestamps'
import type { SampleTruth } from './truth'

/** Fixed document dates so that the same seed writes byte-identical spreadsheets. */
const FIXED_DATE = new Date(Date.UTC(2026, 0, 1))

/** Column order of the CASME II coding sheet (two unnamed spacer columns, as in the original). */
export const CASME2_SHEET_COLUMNS = ['Subject', 'Filename', '', 'OnsetFrame', 'ApexFrame', 'OffsetFrame', '', 'Action Units', 'Estimated Emotion'] as const

/** SAMM's header row (row 13, after twelve rows of prose). */
export const SAMM_SHEET_COLUMNS = [
  'Subject',
  'Filename',
  'Inducement Code',
  'Onset Frame',
  'Apex Frame',
  'Offset Frame',
  'Duration',
  'Type',
  'Action Units',
  'Notes',
  'Estimated Emotion',
  'Objective Classes',
] as const
export const SAMM_HEADER_ROW = 13

export async function writeCasme2Sheet(path: string, samples: SampleTruth[]): Promise<void> {
  const workbook = await newWorkbook()
  const sheet = workbook.addWorksheet('Sheet1')
  sheet.addRow([...CASME2_SHEET_COLUMNS])
  for (const s of samples) {
    sheet.addRow([s.subjectLabel, s.sample, '', s.onset, s.apex, s.offset, '', s.auText, s.emotion])
  }
  await writeWorkbook(workbook, path)
}

export async function writeSammSheet(path: string, samples: SampleTruth[]): Promise<void> {
  const workbook = await newWorkbook()
  const sheet = workbook.addWorksheet('FACS_Movement_Only')
  const prose = [
    'SAMM-shaped synthetic micro-expression codes (ME Studio generator)',
    'Every sample is synthetic: one real public-domain photo, warped and animated with known displacement fields.',
    '',
    'Onset, Apex and Offset are frame numbers as written in the image file names.',
    'Duration is Offset - Onset + 1 frames at 200 fps unless stated otherwise in ground-truth.json.',
    'Type: Micro - 1/2 means micro-expression.',
    'Action Units follow FACS; the objective classes follow Davison et al. 2018.',
    '',
    'Generated deterministically from a seed; see ground-truth.json next to this file.',
  ]
  for (let row = 1; row < SAMM_HEADER_ROW; row++) sheet.addRow([prose[row - 1] ?? ''])
  sheet.addRow([...SAMM_SHEET_COLUMNS])
  for (const s of samples) {
    sheet.addRow([
      s.subjectLabel,
      s.sample,
      '1_1',
      s.onset,
      s.apex,
      s.offset,
      s.offset - s.onset + 1,
      'Micro - 1/2',
      s.auText,
      '',
      s.emotion,
      s.objectiveClass,
    ])
  }
  await writeWorkbook(workbook, path)
}

/** Generic csv labels (video datasets): frame numbers are 0-based decoder indices. */
export async function writeLabelsCsv(path: string, samples: SampleTruth[]): Promise<void> {
  const lines = ['subject,sample,onset,apex,offset,action_units,emotion']
  for (const s of samples) lines.push([s.subjectLabel, s.sample, s.onset, s.apex, s.offset, s.auText, s.emotion].join(','))
  await writeFile(path, lines.join('\n') + '\n')
}

async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const workbook = await pinnedWorkbook('ME Studio synthetic generator', FIXED_DATE)
  workbook.lastModifiedBy = 'ME Studio synthetic generator'
  return workbook
}

async function writeWorkbook(workbook: ExcelJS.Workbook, path: string): Promise<void> {
  const buffer = new Uint8Array(await workbook.xlsx.writeBuffer())
  await writeFile(path, pinZipTimestamps(buffer))
}
