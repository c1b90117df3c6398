import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { afterEach, describe, expect, it } from 'vitest'
import type { SampleRecord } from '../../src/shared/domain/project'
import type { Candidate, CandidateReview, SpottingRun } from '../../src/shared/ipc'
import CandidateTrack from '../../src/renderer/src/components/CandidateTrack.vue'
import SpottingEvaluation from '../../src/renderer/src/components/SpottingEvaluation.vue'
import { usePlayerStore } from '../../src/renderer/src/stores/player'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { useSpottingStore } from '../../src/renderer/src/stores/spotting'
import { fakeTransport, installFake } from './helpers/fake-transport'

/** A 20 s CAS(ME)²-style video at 30 fps, frames img1…img600. */
const FRAME_NUMBERS = Array.from({ length: 600 }, (_, i) => i + 1)
const CLIP = '/data/casme2/rawpic/s15/15_0101disgustingteeth'
const SAMPLE: SampleRecord = {
  id: 7, datasetId: 2, subject: 's15', name: '15_0101disgustingteeth#1', firstFrame: 1, lastFrame: 600, folderLabel: null,
  clip: { kind: 'frames', path: CLIP, fps: 30, frameCount: 600, width: 320, height: 240, frameNumbers: FRAME_NUMBERS },
}

function candidate(id: number, onset: number, apex: number, offset: number, kind: Candidate['kind'], label: Candidate['label'] = 'expression'): Candidate {
  return { id, onset, apex, offset, spotted: { onset, offset }, kind, label, confidence: 0.8, regions: ['left-brow'], state: 'pending', edited: false, sampleId: null }
}

function runWith(candidates: Candidate[]): SpottingRun {
  return {
    datasetId: 2, clipPath: CLIP, fps: 30, frames: 600, firstFrame: 1, lastFrame: 600,
    curve: FRAME_NUMBERS.map((n) => (n > 100 && n < 112 ? 1 : 0.05)), curveStep: 1, threshold: 0.3, warnings: [], spottedAt: '2026-12-07T05:00:00.000Z', candidates,
  }
}

function setup(initial: SpottingRun | null) {
  let stored = initial
  const reviews: CandidateReview[] = []
  const fake = fakeTransport({
    'query:spotting.candidates': () => stored,
    'command:spotting.start': () => ({ jobId: 'spot-1' }),
    'command:spotting.review': (input: CandidateReview) => {
      reviews.push(input)
      const c = stored!.candidates.find((x) => x.id === input.candidateId)!
      const next: Candidate =
        input.action === 'accept' ? { ...c, state: 'accepted', sampleId: 40 }
        : input.action === 'reject' ? { ...c, state: 'rejected' }
        : input.action === 'edges' ? { ...c, onset: input.onset, offset: input.offset, edited: true }
        : { ...c, state: 'pending' }
      stored = { ...stored!, candidates: stored!.candidates.map((x) => (x.id === c.id ? next : x)) }
      return { candidate: next }
    },
  })
  installFake(fake.transport)
  const project = useProjectStore()
  project.currentSample = SAMPLE
  project.annotatorId = 3
  const player = usePlayerStore()
  player.configure({ decoder: () => new Promise(() => undefined) })
  player.open({ sampleId: 7, fps: 30, width: 320, height: 240, frameNumbers: FRAME_NUMBERS, frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
  const wrapper = mount(CandidateTrack, { global: { plugins: [getActivePinia()!] }, attachTo: document.body })
  return { fake, reviews, wrapper, player, spotting: useSpottingStore(), setStored: (r: SpottingRun) => (stored = r) }
}

const press = (init: KeyboardEventInit, target: EventTarget = window) => target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, ...init }))

let unmount: (() => void) | null = null
afterEach(() => {
  unmount?.()
  unmount = null
})

describe('candidate review', () => {
  it('draws micro, macro and greyed blinks with a letter and the reason in words, on the frame scale', async () => {
    const t = setup(runWith([candidate(1, 101, 105, 111, 'micro'), candidate(2, 300, 320, 345, 'macro'), candidate(3, 450, 452, 455, 'micro', 'blink')]))
    unmount = () => t.wrapper.unmount()
    await flushPromises()
    const bars = t.wrapper.findAll('[data-testid^=candidate-]').filter((w) => /^candidate-\d+$/.test(w.attributes('data-testid')!))
    expect(bars.map((b) => [b.attributes('data-kind'), b.text()])).toEqual([['micro', 'μ'], ['macro', 'M'], ['blink', 'B']])
    expect(bars[2]!.attributes('title')).toMatch(/^blink \(not an expression\) 450–455/)
    expect(bars[0]!.attributes('aria-label')).toMatch(/^micro-expression 101–111, apex 105/)
    // Frame 101 is index 100 of 600 frames.
    expect(bars[0]!.attributes('style')).toContain(`left: ${(100 / 599) * 100}%`)
    expect(t.wrapper.get('[data-testid=spotting-curve]').attributes('aria-label')).toBe('Spotting curve over 600 frames, 1 micro and 1 macro candidates, 1 blinks or head movements')
    expect(t.wrapper.get('[data-testid=candidate-counts]').text()).toContain('micro 1')
  })

  it('steps with . and , (seeking to the apex), accepts with Y, rejects with X and moves edges with Shift+O / Shift+F', async () => {
    const t = setup(runWith([candidate(1, 101, 105, 111, 'micro'), candidate(2, 300, 320, 345, 'macro'), candidate(3, 450, 452, 455, 'micro', 'blink')]))
    unmount = () => t.wrapper.unmount()
    await flushPromises()
    t.player.seekFrameNumber(200)
    press({ key: '.' })
    expect(t.spotting.selected?.id).toBe(2)
    expect(t.player.frameNumber).toBe(320)
    press({ key: ',' })
    expect(t.spotting.selected?.id).toBe(1)
    expect(t.player.frameNumber).toBe(105)
    press({ key: 'y' })
    await flushPromises()
    expect(t.reviews.at(-1)).toEqual({ action: 'accept', candidateId: 1, annotatorId: 3 })
    expect(t.wrapper.get('[data-testid=candidate-1]').attributes('data-state')).toBe('accepted')
    expect(t.wrapper.get('[data-testid=candidate-1]').text()).toBe('μ✓')
    expect(t.wrapper.find('[data-testid=candidate-open]').exists()).toBe(true)
    press({ key: '.' })
    press({ key: 'x' })
    await flushPromises()
    expect(t.reviews.at(-1)).toEqual({ action: 'reject', candidateId: 2 })
    expect(t.wrapper.get('[data-testid=candidate-2]').attributes('data-state')).toBe('rejected')
    t.player.seekFrameNumber(298)
    press({ key: 'O', shiftKey: true })
    await flushPromises()
    expect(t.reviews.at(-1)).toEqual({ action: 'edges', candidateId: 2, onset: 298, offset: 345 })
    // An edge past the other one is refused in words, nothing is sent.
    t.player.seekFrameNumber(290)
    const sent = t.reviews.length
    press({ key: 'F', shiftKey: true })
    await flushPromises()
    expect(t.reviews).toHaveLength(sent)
    expect(t.wrapper.get('[data-testid=candidate-error]').text()).toBe('Offset 290 would be before the onset 298')
  })

  it('leaves . and Y to a focused text field', async () => {
    const t = setup(runWith([candidate(1, 101, 105, 111, 'micro')]))
    unmount = () => t.wrapper.unmount()
    await flushPromises()
    const field = document.createElement('input')
    document.body.append(field)
    press({ key: '.' }, field)
    press({ key: 'y' }, field)
    await flushPromises()
    expect(t.spotting.selected).toBeNull()
    expect(t.reviews).toEqual([])
    field.remove()
  })

  it('spots as a job with progress and cancel, then shows the saved candidates; reloads when the clip changes elsewhere', async () => {
    const t = setup(null)
    unmount = () => t.wrapper.unmount()
    await flushPromises()
    expect(t.wrapper.find('[data-testid=candidate-strip]').exists()).toBe(false)
    await t.wrapper.get('[data-testid=spot-intervals]').trigger('click')
    await flushPromises()
    t.fake.emit('event:job.progress', { jobId: 'spot-1', kind: 'spotting.long', done: 120, total: 600, etaMs: 4000, throughput: 30 })
    await flushPromises()
    expect(t.wrapper.get('[data-testid=spot-progress]').text()).toBe('Spotting 120/600 frames')
    expect(t.wrapper.find('[data-testid=spot-cancel]').exists()).toBe(true)
    t.setStored(runWith([candidate(5, 101, 105, 111, 'micro')]))
    t.fake.emit('event:job.done', { jobId: 'spot-1', kind: 'spotting.long', state: 'completed', done: 600, total: 600, itemErrors: 0, result: { candidates: 1, expressions: 1, warnings: [] } })
    await flushPromises()
    expect(t.wrapper.findAll('[data-testid=candidate-5]')).toHaveLength(1)
    t.setStored(runWith([{ ...candidate(5, 101, 105, 111, 'micro'), state: 'rejected' }]))
    t.fake.emit('event:spotting.changed', { datasetId: 2, clipPath: CLIP })
    await flushPromises()
    expect(t.wrapper.get('[data-testid=candidate-5]').attributes('data-state')).toBe('rejected')
  })

  it('shows why spotting failed (no face) and keeps the candidates it had', async () => {
    const t = setup(runWith([candidate(1, 101, 105, 111, 'micro')]))
    unmount = () => t.wrapper.unmount()
    await flushPromises()
    await t.wrapper.get('[data-testid=spot-intervals]').trigger('click')
    await flushPromises()
    t.fake.emit('event:job.done', {
      jobId: 'spot-1', kind: 'spotting.long', state: 'failed', done: 0, total: 600, itemErrors: 0,
      error: { code: 'invalid-input', message: 'No face found in /data/x (looked at frames 1, 76): interval spotting measures facial regions and needs a visible face' },
    })
    await flushPromises()
    expect(t.wrapper.get('[data-testid=candidate-error]').text()).toMatch(/^No face found/)
    expect(t.wrapper.findAll('[data-testid=candidate-1]')).toHaveLength(1)
  })
})

describe('spotting evaluation (Batch view)', () => {
  const scores = (tp: number, fp: number, fn: number) => ({
    tp, fp, fn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall: tp + fn ? tp / (tp + fn) : null,
    f1: tp + fp + fn ? (2 * tp) / (2 * tp + fp + fn) : null,
  })
  const report = (micro: [number, number, number], macro: [number, number, number]) => ({
    micro: scores(...micro), macro: scores(...macro), overall: scores(micro[0] + macro[0], micro[1] + macro[1], micro[2] + macro[2]),
  })

  it('shows P/R/F1 per kind pooled and per video, at the IoU asked, and says what was compared', async () => {
    const fake = fakeTransport({
      'query:spotting.evaluation': ({ iou }: { iou: number }) => ({
        iou,
        pooling: 'MEGC pooling: TP, FP and FN are summed over all videos',
        basis: 'truth: coded expressions; predictions: spotted candidates not rejected',
        videos: [
          { dataset: 'Long', video: 's15/15_0101disgustingteeth', truths: 3, predictions: 2, report: report([1, 0, 1], [1, 0, 0]) },
          { dataset: 'Long', video: 's15/15_0102girlcrashing', truths: 1, predictions: 0, report: report([0, 0, 1], [0, 0, 0]) },
        ],
        datasets: [{ dataset: 'Long', videos: 2, report: report([1, 0, 2], [1, 0, 0]) }],
        pooled: report([1, 0, 2], [1, 0, 0]),
        unpredicted: ['s15/15_0102girlcrashing'],
      }),
    })
    installFake(fake.transport)
    const wrapper = mount(SpottingEvaluation, { global: { plugins: [getActivePinia()!] } })
    await wrapper.get('input[type=number]').setValue(0.3)
    await wrapper.get('[data-testid=spotting-evaluate]').trigger('click')
    await flushPromises()
    expect(fake.calls.at(-1)).toEqual({ channel: 'query:spotting.evaluation', input: { iou: 0.3 } })
    // overall: TP 2, FP 0, FN 2 → P 100 %, R 50 %, F1 2·2/(4+0+2) = 66.7 %
    expect(wrapper.get('[data-testid=spotting-overall]').findAll('td').map((td) => td.text())).toEqual(['2', '0', '2', '100.0%', '50.0%', '66.7%'])
    expect(wrapper.get('[data-testid=spotting-micro] .f1').text()).toBe('50.0%')
    expect(wrapper.get('[data-testid=spotting-videos]').text()).toContain('s15/15_0101disgustingteeth')
    expect(wrapper.get('[data-testid=spotting-unpredicted]').text()).toContain('s15/15_0102girlcrashing')
    expect(wrapper.text()).toContain('predictions: spotted candidates not rejected')
  })
})
