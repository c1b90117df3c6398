/**
 * Apex spotting on generated micro-expression clips with known onset/apex/offset
 * (src/main/services/synth, the `me-studio synth` generator, with head motion on).
 *
 *   npx tsx --tsconfig tsconfig.node.json bench/spotting.bench.ts [--subjects 3] [--samples 3] [--signals difference,translation,farneback] [--seed 7]
 *
 * Runs the same pipeline as `me-studio spot` (face detection on the first frame, alignment to a
 * 128-px crop, AU regions with the nose reference, spotApex) without telling it the onset, and
 * prints per signal the mean absolute error of the apex in frames and ms, and of the suggested
 * onset and offset, plus the mean confidence and the time per clip.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spotFrames, type SpotSignalName } from '../src/main/services/motion/spotting'
import { MediaService } from '../src/main/services/media'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'
import type { GrayImage } from '../src/main/vision/image'
import { VisionPool } from '../src/main/workers/vision-pool'
import { visionWorkerLocation } from '../src/main/workers/vision-worker-location'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const subjects = Number(arg('subjects', '3'))
const samples = Number(arg('samples', '3'))
const seed = Number(arg('seed', '7'))
const signals = arg('signals', 'difference,translation,farneback').split(',') as SpotSignalName[]

const dir = mkdtempSync(join(tmpdir(), 'me-spot-bench-'))
try {
  const truth = await generateSyntheticDataset({ outDir: dir, subjects, samplesPerSubject: samples, seed, headMotion: true })
  const media = new MediaService()
  const clips: { frames: GrayImage[]; fps: number; onset: number; apex: number; offset: number; name: string }[] = []
  for (const s of truth.samples) {
    const path = join(dir, s.path)
    const info = await media.open(path, { fps: s.fps })
    const frames = await media.readFrames(path, 0, info.frameCount, 'gray')
    clips.push({
      name: `${s.subject}/${s.sample} ${s.action}`,
      fps: s.fps,
      onset: s.onsetIndex,
      apex: s.apexIndex,
      offset: s.offsetIndex,
      frames: frames.map((f) => ({ width: f.width, height: f.height, data: Float32Array.from(f.data) })),
    })
  }
  console.log(`${clips.length} generated clips, ${truth.width}x${truth.height} @ ${truth.fps} fps, head motion on, seed ${seed}`)
  const pool = new VisionPool(visionWorkerLocation())
  for (const signal of signals) {
    let apexErr = 0
    let apexErrMs = 0
    let onsetErr = 0
    let offsetErr = 0
    let conf = 0
    let within2 = 0
    const started = performance.now()
    for (const c of clips) {
      const { result, face } = await spotFrames(c.frames, { signal, side: 128, face: true, temporalSigma: 1.5 }, pool)
      const e = Math.abs(result.apex - c.apex)
      apexErr += e
      apexErrMs += (e / c.fps) * 1000
      onsetErr += Math.abs(result.onset - c.onset)
      offsetErr += Math.abs(result.offset - c.offset)
      conf += result.confidence
      if (e <= 2) within2++
      console.log(
        `  ${signal.padEnd(10)} ${c.name.padEnd(22)} face ${face.found ? 'yes' : 'NO '} apex ${result.apex} (truth ${c.apex})  onset ${result.onset} (${c.onset})  offset ${result.offset} (${c.offset})  conf ${result.confidence.toFixed(2)}`,
      )
    }
    const n = clips.length
    const ms = (performance.now() - started) / n
    console.log(
      `${signal}: apex MAE ${(apexErr / n).toFixed(2)} frames = ${(apexErrMs / n).toFixed(1)} ms; |err| ≤ 2 frames ${within2}/${n}; ` +
        `suggested onset MAE ${(onsetErr / n).toFixed(2)}, offset MAE ${(offsetErr / n).toFixed(2)} frames; mean confidence ${(conf / n).toFixed(2)}; ${ms.toFixed(0)} ms/clip`,
    )
  }
  await pool.destroy()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
