/**
 * `me-studio flow`'s TV-L1 (TVL1_FLOW_PRESET) against native OpenCV DualTVL1 with its defaults on
 * held-out pairs (./held-out-pairs.ts: real photos, a warp rendered at 4× and box-averaged, noise,
 * displacements up to 10 px): our end-point error is no higher on any pair. Skipped when cv2 is
 * not importable.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { readFlo } from '../../../src/main/vision/flo'
import { endPointError } from '../../../src/main/vision/image'
import { TVL1_FLOW_PRESET, tvl1Flow } from '../../../src/main/vision/tvl1'
import { HELD_OUT_CASES, heldOutFlow, heldOutPhotos, renderHeldOutPair } from '../../unit/vision/held-out-pairs'
import { grayPng, interiorMask } from '../../unit/vision/synthetic'

const PY = '/usr/bin/python3'
const SCRIPT = fileURLToPath(new URL('../../../bench/opencv_tvl1.py', import.meta.url))
const probe = spawnSync(PY, ['-c', 'import cv2; cv2.optflow.DualTVL1OpticalFlow_create'], { encoding: 'utf8' })
const hasOpenCv = probe.status === 0
if (!hasOpenCv) console.warn(`tvl1-held-out: skipped — "${PY} -c 'import cv2'" failed (install Debian python3-opencv): ${probe.stderr || probe.error}`)

describe.skipIf(!hasOpenCv)('TV-L1 on held-out pairs: at least as accurate as OpenCV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tvl1-held-out-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const photos = heldOutPhotos()

  it('has real photos to test on', () => expect(photos.length).toBeGreaterThanOrEqual(3))

  const sizes: [number, number, number][] = [
    [112, 112, HELD_OUT_CASES.length],
    [224, 224, HELD_OUT_CASES.length],
    [640, 480, 2], // two pairs: each costs seconds
  ]
  for (const [w, h, count] of sizes) {
    it(`${w}×${h}`, { timeout: 180_000 }, async () => {
      for (const [k, c] of HELD_OUT_CASES.slice(0, count).entries()) {
        const photo = photos[k % photos.length]!
        const truth = heldOutFlow(c.kind, w, h, c.magnitude)
        const { i0, i1 } = await renderHeldOutPair(photo, truth, c.noise, 11 + k)
        const p0 = join(dir, `${w}-${k}-0.png`)
        const p1 = join(dir, `${w}-${k}-1.png`)
        const pf = join(dir, `${w}-${k}.flo`)
        writeFileSync(p0, await grayPng(i0))
        writeFileSync(p1, await grayPng(i1))
        execFileSync(PY, [SCRIPT, p0, p1, pf, '1'], { encoding: 'utf8' })
        const mask = interiorMask(w, h, 8)
        const epeCv = endPointError(readFlo(readFileSync(pf)), truth, mask)
        const epeOurs = endPointError(tvl1Flow(i0, i1, TVL1_FLOW_PRESET), truth, mask)
        const label = `${w}×${h} ${basename(photo)} ${c.kind} ${c.magnitude} px, noise σ ${c.noise}`
        console.log(`${label}: EPE ours ${epeOurs.toFixed(4)}, OpenCV ${epeCv.toFixed(4)}`)
        expect(epeOurs, label).toBeLessThanOrEqual(epeCv + 0.002)
      }
    })
  }
})
