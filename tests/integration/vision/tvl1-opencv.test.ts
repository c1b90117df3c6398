/**
 * Agreement with native OpenCV TV-L1 (Debian python3-opencv through /usr/bin/python3) on
 * generated pairs with known flow: our end-point error is no worse than OpenCV's (+ 0.01 px)
 * and the two flows differ by less than 0.1 px on average (most of that is OpenCV’s own error:
 * its remap quantises coordinates to 1/32 px and uses Keys a = −0.75). Skipped when cv2 is not
 * importable.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { readFlo } from '../../../src/main/vision/flo'
import { endPointError } from '../../../src/main/vision/image'
import { tvl1Flow } from '../../../src/main/vision/tvl1'
import { grayPng, interiorMask, loadFace, makePair, smoothFlow, translationFlow } from '../../unit/vision/synthetic'

const PY = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('../../../bench/opencv_tvl1.py', import.meta.url))
const probe = spawnSync(PY, ['-c', 'import cv2; cv2.optflow.DualTVL1OpticalFlow_create'], { encoding: 'utf8' })
const hasOpenCv = probe.status === 0
if (!hasOpenCv) {
  console.warn(`tvl1-opencv: skipped — "${PY} -c 'import cv2'" failed (install Debian python3-opencv): ${probe.stderr || probe.error}`)
}

describe.skipIf(!hasOpenCv)('TV-L1 vs native OpenCV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-cv-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const cases = [
    { name: 'smooth warp 112²', w: 112, h: 112, kind: 'smooth' as const, amp: 1.2 },
    { name: 'translation 128×96', w: 128, h: 96, kind: 'translation' as const, amp: 1.7 },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      const base = await loadFace(c.w, c.h)
      const truth = c.kind === 'smooth' ? smoothFlow(c.w, c.h, c.amp) : translationFlow(c.w, c.h, c.amp, -0.45 * c.amp)
      const { i0, i1 } = makePair(base, truth)
      const p0 = join(dir, `${c.w}-0.png`)
      const p1 = join(dir, `${c.w}-1.png`)
      const pf = join(dir, `${c.w}.flo`)
      writeFileSync(p0, await grayPng(i0))
      writeFileSync(p1, await grayPng(i1))
      execFileSync(PY, [SCRIPT, p0, p1, pf, '1'], { encoding: 'utf8' })
      const cv = readFlo(readFileSync(pf))
      const ours = tvl1Flow(i0, i1)
      const mask = interiorMask(c.w, c.h, 8)
      const epeOurs = endPointError(ours, truth, mask)
      const epeCv = endPointError(cv, truth, mask)
      const disagreement = endPointError(ours, cv, mask)
      console.log(`${c.name}: EPE ours ${epeOurs.toFixed(4)}, OpenCV ${epeCv.toFixed(4)}, ours↔OpenCV ${disagreement.toFixed(4)}`)
      expect(epeOurs).toBeLessThanOrEqual(epeCv + 0.01)
      expect(disagreement).toBeLessThan(0.1)
    })
  }

  // With `opencvNumerics` (what model inputs use) the flows match OpenCV's over the whole frame,
  // borders included — also at STSTNet's 28×28, where the flow is a few hundredths of a pixel.
  // Measured: 28² 0.00000 px (exact numerics: 0.048), 112² 0.0144 px (exact numerics: 0.048; the rest is
  // float rounding in the iterations, which larger flows over more pixels carry further).
  const numericsCases = [
    { name: 'OpenCV numerics, smooth warp 28²', w: 28, h: 28, amp: 0.15, tolerance: 0.002 },
    { name: 'OpenCV numerics, smooth warp 112²', w: 112, h: 112, amp: 1.2, tolerance: 0.025 },
  ]
  for (const c of numericsCases) {
    it(c.name, async () => {
      const { i0, i1 } = makePair(await loadFace(c.w, c.h), smoothFlow(c.w, c.h, c.amp))
      const p0 = join(dir, `n${c.w}-0.png`)
      const p1 = join(dir, `n${c.w}-1.png`)
      const pf = join(dir, `n${c.w}.flo`)
      writeFileSync(p0, await grayPng(i0))
      writeFileSync(p1, await grayPng(i1))
      execFileSync(PY, [SCRIPT, p0, p1, pf, '1'], { encoding: 'utf8' })
      const cv = readFlo(readFileSync(pf))
      const all = new Uint8Array(c.w * c.h).fill(1)
      const exact = endPointError(tvl1Flow(i0, i1), cv, all)
      const numerics = endPointError(tvl1Flow(i0, i1, { opencvNumerics: true }), cv, all)
      const js = endPointError(tvl1Flow(i0, i1, { opencvNumerics: true, implementation: 'js' }), cv, all)
      console.log(`${c.name}: ours↔OpenCV ${numerics.toFixed(5)} (JS kernels ${js.toFixed(5)}; exact numerics ${exact.toFixed(4)})`)
      expect(numerics).toBeLessThan(c.tolerance)
      expect(js).toBeLessThan(c.tolerance)
      expect(numerics).toBeLessThan(exact)
    })
  }
})
