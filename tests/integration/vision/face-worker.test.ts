// Face detection as a vision worker task (#14: tfjs-wasm off the main event loop): the worker finds
// the same face, box and landmarks as the detector in this thread, and the caller's image stays usable.
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { alignOn, detectFace } from '../../../src/main/services/motion/face-alignment'
import type { RgbImage } from '../../../src/main/vision/color'
import { loadFaceDetector } from '../../../src/main/vision/face/detector'
import { VisionPool } from '../../../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../../../src/main/workers/vision-worker-location'

const ASTRONAUT = new URL('../../../resources/faces/astronaut.png', import.meta.url).pathname
const pool = new VisionPool({ ...visionWorkerLocation(new URL('../../../src/main/workers/vision-worker-location.ts', import.meta.url).href), size: 1 })
afterAll(() => pool.destroy())

async function rgbAstronaut(): Promise<RgbImage> {
  const { data, info } = await sharp(ASTRONAUT).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data: Float32Array.from(data) }
}

describe('face detection in a vision worker', () => {
  it('finds the same face as the detector in this thread; the image is copied, not moved', async () => {
    const image = await rgbAstronaut()
    const inWorker = await detectFace(pool, image)
    expect(image.data.length).toBe(image.width * image.height * 3)
    const here = await (await loadFaceDetector()).detect(image)
    expect(inWorker).not.toBeNull()
    expect(here).not.toBeNull()
    expect(inWorker!.score).toBeCloseTo(here!.score, 5)
    expect(inWorker!.box.x).toBeCloseTo(here!.box.x, 3)
    expect(inWorker!.box.width).toBeCloseTo(here!.box.width, 3)
    expect(inWorker!.landmarks).toHaveLength(68)
    inWorker!.landmarks.forEach((p, i) => {
      expect(p.x).toBeCloseTo(here!.landmarks[i]!.x, 3)
      expect(p.y).toBeCloseTo(here!.landmarks[i]!.y, 3)
    })
  }, 120_000)

  it('aligns on the worker-detected face, and reports no face on a blank image', async () => {
    const image = await rgbAstronaut()
    const alignment = await alignOn(image, 112, pool)
    expect(alignment?.side).toBe(112)
    expect(alignment?.landmarks).toHaveLength(68)
    const blank: RgbImage = { width: 64, height: 64, data: new Float32Array(64 * 64 * 3).fill(128) }
    expect(await detectFace(pool, blank)).toBeNull()
  }, 120_000)
})
