/**
 * A small CAS(ME)²-shaped dataset written for a test: `rawpic/s<NN>/<NN>_<code><name>/img<N>.jpg`
 * (16×16 grey JPEGs, 30 fps) and a real `CAS(ME)^2code_final.xlsx` with the three sheets the
 * published workbook has — `CASMEcode_final` (no header: participant, expression name, onset,
 * apex, offset, AUs, emotion, type), `naming rule1` (participant → subject folder number) and
 * `naming rule2` (expression name stem → 4-digit video code) — written with the quirks of the
 * real file: header rows, numbers stored as text and as numbers, lost zero padding, trailing spaces.
 *
 *   const ds = await writeCasme2LongFixture(dir)
 *   ds.root       // the dataset folder (rawpic/…)
 *   ds.labelPath  // the workbook, outside the dataset folder (pass it with --labels)
 *
 * What the rows are and what an import must make of them: see CASME2_LONG_ROWS and the test
 * tests/integration/project/casme2-long.test.ts.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import sharp from 'sharp'

/** Clips: subject folder, clip folder, frame count (frames img1 … imgN). */
export const CASME2_LONG_CLIPS: readonly [string, string, number][] = [
  ['s15', '15_0101disgustingteeth', 40], // 3 expressions (+ 1 duplicate row)
  ['s15', '15_0402eatingworms', 20], // 1 expression, via naming rule 2 (anger2 → 0402)
  ['s16', '16_0101disgustingteeth', 20], // no label row: stays one sample
  ['s16', '16_0102girlcrashing', 20], // the row names the folder itself
  ['s16', '16_0103happyend', 20], // the row names the video code itself
]

/** `CASMEcode_final` rows (no header row, so spreadsheet row = index + 1). */
export const CASME2_LONG_ROWS: readonly (string | number)[][] = [
  [1, 'disgust1_1', 5, 8, 12, '4+10', 'negative', 'micro-expression'], // row 1 → s15/15_0101…#2
  [1, 'disgust1_2', 20, 24, 0, '12', 'positive', 'macro-expression'], // row 2 → #3, offset 0 → 28
  [1, 'disgust1_3 ', 2, 3, 4, '1+2', 'surprise', 'micro-expression'], // row 3 → #1 (earliest onset)
  [1, 'disgust1_1', 5, 8, 12, '4+10', 'negative', 'micro-expression'], // row 4: duplicate of row 1
  ['1', 'anger2_1', 3, 6, 9, 'L14', 'negative', 'micro-expression'], // row 5 → s15/15_0402eatingworms#1
  [2, 'fear9_1', 3, 6, 9, '4', 'negative', 'micro-expression'], // row 6: no such video → unknown-sample
  [2, '16_0102girlcrashing', 4, 7, 10, '12', 'positive', 'micro-expression'], // row 7 → s16/16_0102…#1
  [2, '0103', 6, 9, 11, '6+12', 'positive', 'micro-expression'], // row 8 → s16/16_0103happyend#1
]

export interface Casme2LongFixture {
  root: string
  labelPath: string
}

export async function writeCasme2LongFixture(dir: string): Promise<Casme2LongFixture> {
  const root = join(dir, 'CASME2-long')
  for (const [subject, clip, frames] of CASME2_LONG_CLIPS) {
    const folder = join(root, 'rawpic', subject, clip)
    await mkdir(folder, { recursive: true })
    for (let n = 1; n <= frames; n++) {
      await sharp(Buffer.alloc(16 * 16, 60 + n), { raw: { width: 16, height: 16, channels: 1 } })
        .jpeg()
        .toFile(join(folder, `img${n}.jpg`))
    }
  }
  const workbook = new ExcelJS.Workbook()
  const codes = workbook.addWorksheet('CASMEcode_final')
  for (const row of CASME2_LONG_ROWS) codes.addRow(row)
  const rule1 = workbook.addWorksheet('naming rule1')
  rule1.addRow(['participant', 'subject folder'])
  rule1.addRow([1, 15])
  rule1.addRow(['2 ', '016']) // text, zero-padded, trailing space
  rule1.addRow([3, 's17'])
  const rule2 = workbook.addWorksheet('naming rule2')
  rule2.addRow(['code', 'expression'])
  rule2.addRow(['0101', 'disgust1'])
  rule2.addRow([102, 'disgust2 ']) // number: zero padding lost
  rule2.addRow(['0401', 'anger1'])
  rule2.addRow([' 0402', 'anger2'])
  const labelPath = join(dir, 'CAS(ME)^2code_final.xlsx')
  await workbook.xlsx.writeFile(labelPath)
  return { root, labelPath }
}
