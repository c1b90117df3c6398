/**
 * Frame-player step latency in the real workspace: a generated 640×480, 200 fps CASME II-shaped
 * clip opened through the browser bridge in Chromium (playwright-core, Debian's chromium), coded
 * view open, frames decoded from the media layer's frame route into the renderer's prefetch cache.
 *
 *   npx electron-vite build && npx tsx --tsconfig tsconfig.node.json bench/player-step.bench.ts [--size 640x480] [--seconds 1.5] [--steps 40]
 *
 * Measured inside the page, from the keydown (→ / jump field) to the frame drawn on the canvas
 * (`data-drawn-index` set right after drawImage):
 * - cached: → steps through frames the prefetch already decoded (goal: < 16 ms, one display frame);
 * - uncached: jumps to frames far from everything decoded so far (fetch + decode + draw);
 * - held key: → dispatched at a 30 Hz key-repeat rate, counting the frames actually drawn
 *   (every frame should be shown).
 * Prints median and p95 of each and the ratio uncached : cached.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { startBridge } from '../src/main/bridge/server'
import { generateSyntheticDataset } from '../src/main/services/synth/generate'
import { createStudio } from '../src/main/studio'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const [width, height] = arg('size', '640x480').split('x').map(Number) as [number, number]
const seconds = Number(arg('seconds', '1.5'))
const steps = Number(arg('steps', '40'))

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`

// The functions passed to page.evaluate run in Chromium; the node tsconfig has no DOM library, so
// the few page globals they touch are declared here, for this file only.
interface PageElement {
  getAttribute(name: string): string | null
  value: string
  dispatchEvent(event: unknown): boolean
  form: { requestSubmit(): void } | null
}
declare const document: { querySelector(selector: string): PageElement | null }
declare const window: { dispatchEvent(event: unknown): boolean }
declare const KeyboardEvent: new (type: string, init: object) => unknown
declare const MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: object): void; disconnect(): void }

/** In the page: runs `action`, resolves with ms until the canvas shows frame index `expected`. */
function timeUntilDrawn(page: Page, action: 'step' | { jump: number }, expected: number): Promise<number> {
  return page.evaluate(
    ({ action, expected }) =>
      new Promise<number>((resolve, reject) => {
        const canvas = document.querySelector('[data-testid=frame-canvas]')!
        const timer = setTimeout(() => reject(new Error(`frame ${expected} not drawn within 10 s`)), 10_000)
        const t0 = performance.now()
        const observer = new MutationObserver(() => {
          if (canvas.getAttribute('data-drawn-index') === String(expected)) {
            const ms = performance.now() - t0
            observer.disconnect()
            clearTimeout(timer)
            resolve(ms)
          }
        })
        observer.observe(canvas, { attributes: true, attributeFilter: ['data-drawn-index'] })
        if (action === 'step') {
          window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true }))
        } else {
          const field = document.querySelector('[data-testid=jump-frame]')!
          field.value = String(action.jump)
          field.dispatchEvent(new Event('input'))
          field.form!.requestSubmit()
        }
      }),
    { action, expected },
  )
}

/** Dispatches → every `intervalMs`, `count` times; returns the distinct frame indices drawn. */
function heldKey(page: Page, count: number, intervalMs: number): Promise<number[]> {
  return page.evaluate(
    ({ count, intervalMs }) =>
      new Promise<number[]>((resolve) => {
        const canvas = document.querySelector('[data-testid=frame-canvas]')!
        const drawn = new Set<number>()
        const observer = new MutationObserver(() => drawn.add(Number(canvas.getAttribute('data-drawn-index'))))
        observer.observe(canvas, { attributes: true, attributeFilter: ['data-drawn-index'] })
        let sent = 0
        const timer = setInterval(() => {
          window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true, cancelable: true, repeat: true }))
          if (++sent === count) {
            clearInterval(timer)
            setTimeout(() => {
              observer.disconnect()
              resolve([...drawn].sort((a, b) => a - b))
            }, 500)
          }
        }, intervalMs)
      }),
    { count, intervalMs },
  )
}

const work = mkdtempSync(join(tmpdir(), 'me-player-bench-'))
const datasetDir = join(work, 'CASME2-bench')
try {
  const t = performance.now()
  const truth = await generateSyntheticDataset({ outDir: datasetDir, subjects: 1, samplesPerSubject: 1, seed: 5, width, height, durationSeconds: [seconds, seconds] })
  const frames = truth.samples[0]!.frameCount
  const first = truth.samples[0]!.firstFrameNumber
  console.log(`clip: ${width}×${height}, ${frames} frames at ${truth.fps} fps (generated in ${((performance.now() - t) / 1000).toFixed(1)} s)`)

  const studio = createStudio({ host: 'bridge', userDataDir: join(work, 'user-data'), resourcesDir: resolve('resources') })
  const bridge = await startBridge({ studio, rendererDir: resolve('out/renderer'), port: 0 })
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(bridge.launchUrl)
    await page.getByTestId('open-dataset').click()
    await page.getByTestId('dataset-path').fill(datasetDir)
    await page.getByTestId('dataset-path-open').click()
    await page.getByTestId('dataset-browser').waitFor({ timeout: 120_000 })
    await page.getByTestId('annotator-name').fill('Bench coder')
    await page.getByTestId('annotator-create').click()
    await page.getByTestId('annotator-prompt').waitFor({ state: 'detached' })
    await page.keyboard.press('n')
    await page.waitForSelector('[data-testid=frame-canvas][data-drawn-index="0"]', { timeout: 30_000 })

    // Uncached: jumps to frames no earlier prefetch window reached (windows: 40 ahead, 12 behind).
    const targets = [0.5, 0.83, 0.17, 0.67, 0.33].map((f) => Math.round(f * (frames - 1)))
    const uncached: number[] = []
    for (const index of targets) {
      await page.waitForTimeout(1500) // let the previous prefetch finish so it does not compete
      uncached.push(await timeUntilDrawn(page, { jump: first + index }, index))
    }

    // Cached: back to the start, let the prefetch fill the window, then step through it.
    await timeUntilDrawn(page, { jump: first }, 0)
    await page.waitForTimeout(2000)
    const cached: number[] = []
    for (let i = 1; i <= Math.min(steps, 36); i++) cached.push(await timeUntilDrawn(page, 'step', i))

    // Held key at a 30 Hz repeat rate from the start of the clip.
    await timeUntilDrawn(page, { jump: first }, 0)
    await page.waitForTimeout(2000)
    const repeats = Math.min(60, frames - 1)
    const drawn = await heldKey(page, repeats, 33)
    const missing = Array.from({ length: repeats }, (_, i) => i + 1).filter((i) => !drawn.includes(i))

    const medC = percentile(cached, 0.5)
    const medU = percentile(uncached, 0.5)
    console.log(`cached step   (→, keydown → drawn): median ${fmt(medC)}, p95 ${fmt(percentile(cached, 0.95))}, n=${cached.length}  ${medC < 16 ? '< 16 ms ✓' : '≥ 16 ms ✗'}`)
    console.log(`uncached jump (fetch + decode + draw): median ${fmt(medU)}, p95 ${fmt(percentile(uncached, 0.95))}, n=${uncached.length}`)
    console.log(`ratio uncached : cached = ${(medU / medC).toFixed(1)}×`)
    console.log(`held → at 30 Hz for ${repeats} frames: ${repeats - missing.length}/${repeats} frames drawn${missing.length ? ` (missed ${missing.join(', ')})` : ' — every frame shown'}`)
  } finally {
    await browser.close()
    await bridge.close()
    await studio.dispose()
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
