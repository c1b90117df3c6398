import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { parseAus } from '../../src/shared/domain/au'
import type { Annotation } from '../../src/shared/domain/annotation'
import type { SampleRecord } from '../../src/shared/domain/project'
import type { PredictionResult } from '../../src/shared/ipc'
import MagnifiedPair from '../../src/renderer/src/components/MagnifiedPair.vue'
import InspectView from '../../src/renderer/src/views/InspectView.vue'
import MotionView from '../../src/renderer/src/views/MotionView.vue'
import { useAnnotationStore } from '../../src/renderer/src/stores/annotation'
import { useJobsStore } from '../../src/renderer/src/stores/jobs'
import { useMotionStore } from '../../src/renderer/src/stores/motion'
import { usePlayerStore } from '../../src/renderer/src/stores/player'
import { useProjectStore } from '../../src/renderer/src/stores/project'
import { fakeTransport, installFake } from './helpers/fake-transport'
import card from '../../resources/models/ststnet-demo.card.json'

/**
 * One numbering from Coding to Motion to Inspect, on a folder whose first file is img231.jpg:
 * the coder's 241 / 261 / 291 is what every view shows and what the forms take; the services
 * are sent the clip indices 10 / 30 / 60.
 */
const FRAME_NUMBERS = Array.from({ length: 100 }, (_, i) => 231 + i)
const SAMPLE: SampleRecord = {
  id: 7,
  datasetId: 1,
  subject: 'sub01',
  name: 'EP01_01',
  clip: { kind: 'frames', path: '/data/sub01/EP01_01', fps: 200, frameCount: 100, width: 64, height: 64, frameNumbers: FRAME_NUMBERS },
  firstFrame: 231,
  lastFrame: 330,
  folderLabel: null,
}

function annotation(id: number, fields: Partial<Annotation>): Annotation {
  return {
    id, sampleId: 7, annotatorId: 2, adjudicated: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    onset: null, apex: null, offset: null, aus: { alternatives: [[]] }, emotion: null, objectiveClass: null, notes: '', confidence: null, status: 'done',
    ...fields,
  } as Annotation
}

const MINE = annotation(1, { onset: 241, apex: 261, offset: 291, aus: parseAus('1+2+R12').value!, emotion: 'happiness' })
const ADJUDICATED = annotation(2, { adjudicated: true, onset: 251, apex: 271, offset: 301 })

function prediction(input: PredictionResult['input']): PredictionResult {
  return {
    id: 'p1', recordedId: null, modelId: card.id, modelName: card.name, recipeId: 'r', classes: card.classes, scoreKind: 'logits',
    scores: card.classes.map(() => 0), probabilities: card.classes.map(() => 1 / card.classes.length), predictedIndex: 0, predictedClass: card.classes[0]!,
    provider: 'cpu', fallbacks: [], timings: { preprocessMs: 1, inferenceMs: 1, warmupMs: 0 }, input, attention: [],
    auRegions: { source: 'ground-truth', regions: [], note: '' },
  }
}

async function openAsCoder(visible: Annotation[]) {
  const fake = fakeTransport({
    'query:annotation.get': () => ({ sampleId: 7, status: 'coded', mine: MINE, visible, issues: [], history: { canUndo: false, canRedo: false, undoAction: null, redoAction: null } }),
    'command:motion.flow': () => ({ flowId: 'f1', jobId: 'j1' }),
    'query:models.list': () => ({ models: [{ id: card.id, source: 'bundled', card, recipeId: 'r', problem: null }], providers: { order: ['cpu'], unavailable: [] } }),
    // A job: its result (the prediction) arrives with event:job.done.
    'command:predict.sample': (input: { sample: { onsetIndex: number; apexIndex: number | null } }) => {
      const result = prediction({ width: 28, height: 28, frameIndices: [input.sample.onsetIndex, input.sample.apexIndex!], apex: { index: input.sample.apexIndex!, source: 'annotated' }, warnings: [] })
      // Done before the start call returns, as a fast job can be: the jobs store keeps it until then.
      fake.emit('event:job.done', { jobId: 'p1', kind: 'predict.sample', state: 'completed', done: 1, total: 1, itemErrors: 0, result })
      return { jobId: 'p1' }
    },
  })
  installFake(fake.transport)
  // What Coding does on opening the sample: the clip in the player, the coder's annotation loaded.
  const project = useProjectStore()
  project.currentSample = SAMPLE
  const player = usePlayerStore()
  player.configure({ decoder: () => new Promise(() => undefined) })
  player.open({ sampleId: 7, fps: 200, width: 64, height: 64, frameNumbers: FRAME_NUMBERS, frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
  await useAnnotationStore().load({ sampleId: 7, annotatorId: 2, adjudicated: false }, { fps: 200, firstFrame: 231, lastFrame: 330 })
  await flushPromises()
  return fake
}

describe('one frame numbering, Coding → Motion → Inspect', () => {
  it("Motion and Inspect show and take the coder's own frame numbers, and say where the frames came from", async () => {
    const fake = await openAsCoder([MINE])
    const player = usePlayerStore()
    expect(player.seekFrameNumber(261)).toBe(true)
    expect(player.frameNumber).toBe(261)

    const motion = mount(MotionView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    expect((motion.get('[data-testid=flow-from]').element as HTMLInputElement).value).toBe('241')
    expect((motion.get('[data-testid=flow-to]').element as HTMLInputElement).value).toBe('261')
    expect((motion.get('[data-testid=coding-source]').element as HTMLSelectElement).value).toBe('mine')
    expect(motion.get('[data-testid=coding-source-frames]').text()).toBe('onset / apex / offset 241 / 261 / 291')
    // Onset−10 … offset+10, in frame numbers.
    expect(motion.get('[data-testid=magnify-section]').text()).toBe('frames 231–301')
    expect(motion.get('[data-testid=face-reference]').text()).toContain('reference frame 241 (onset, your coding)')

    // A typed frame number goes to the service as its clip index.
    await motion.get('[data-testid=flow-to]').setValue(271)
    await motion.get('[data-testid=compute-flow]').trigger('submit')
    await flushPromises()
    expect(fake.calls.find((c) => c.channel === 'command:motion.flow')!.input).toMatchObject({ from: 10, to: 40 })
    expect(useJobsStore().jobs.map((j) => j.title)).toEqual(['Optical flow 241→271'])
    // A number the clip does not have is refused, naming the clip's range.
    await motion.get('[data-testid=flow-from]').setValue(12)
    // (the button is disabled while the first flow runs: submit its form)
    await motion.findAll('form').find((f) => f.find('[data-testid=compute-flow]').exists())!.trigger('submit')
    expect(motion.get('[data-testid=flow-pair-error]').text()).toBe('Frame 12 is not in this clip (frames 231–330)')
    motion.unmount()

    const inspect = mount(InspectView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    expect(inspect.get('[data-testid=inspect-source]').text().replace(/\s+/g, ' ')).toBe('sub01 / EP01_01 · frames from your coding · AUs 1+2+R12')
    await inspect.get('[data-testid=run-inference]').trigger('click')
    await flushPromises()
    expect(fake.calls.find((c) => c.channel === 'command:predict.sample')!.input).toMatchObject({ sample: { onsetIndex: 10, apexIndex: 30, offsetIndex: 60 }, auNumbers: [1, 2, 12] })
    expect(inspect.get('[data-testid=prediction-panel]').text()).toContain('onset 241 → coded apex 261')
    expect(inspect.get('[data-testid=frames-source-a]').text()).toBe('frames_source: coded (your coding)')
    // The result is said by a status region as well as shown.
    expect(inspect.get('[data-testid=inspect-status]').attributes('role')).toBe('status')
    expect(inspect.get('[data-testid=inspect-status]').text()).toBe(`${card.name} predicts ${card.classes[0]} on cpu`)
  })

  it('prefers the adjudicated coding, and the coder can pick their own instead', async () => {
    await openAsCoder([MINE, ADJUDICATED])
    const motion = mount(MotionView, { global: { plugins: [getActivePinia()!] } })
    await flushPromises()
    const select = motion.get('[data-testid=coding-source]')
    expect((select.element as HTMLSelectElement).value).toBe('adjudicated')
    expect(select.findAll('option').map((o) => o.text())).toEqual(['adjudicated coding', 'your coding'])
    expect((motion.get('[data-testid=flow-from]').element as HTMLInputElement).value).toBe('251')
    await select.setValue('mine')
    await flushPromises()
    expect((motion.get('[data-testid=flow-from]').element as HTMLInputElement).value).toBe('241')
    expect((motion.get('[data-testid=flow-to]').element as HTMLInputElement).value).toBe('261')
  })
})

describe('magnified section', () => {
  it("is scrubbed with the player's keys on its own, in frame numbers, from where the Coding playhead was", async () => {
    installFake(fakeTransport({}).transport)
    const player = usePlayerStore()
    player.configure({ decoder: () => new Promise(() => undefined) })
    player.open({ sampleId: 7, fps: 200, width: 64, height: 64, frameNumbers: FRAME_NUMBERS, frameUrl: (i) => `/f/${i}`, thumbUrl: (i) => `/t/${i}` })
    player.seekFrameNumber(261)
    const magnified = { magnifyId: 'm1', clipPath: '/data/sub01/EP01_01', start: 0, count: 71, width: 64, height: 64, method: 'eulerian' as const, alpha: 20 }
    useMotionStore().magnified = magnified
    const wrapper = mount(MagnifiedPair, { props: { magnified, clipPath: magnified.clipPath, frameNumbers: FRAME_NUMBERS }, global: { plugins: [getActivePinia()!] }, attachTo: document.body })
    const frame = () => wrapper.get('[data-testid=magnify-frame]').text()
    expect(frame()).toBe('frame 261')
    expect(wrapper.get('[data-testid=magnified-frame]').attributes('src')).toBe('/media/magnified/m1/30.png')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight' }))
    await wrapper.vm.$nextTick()
    expect(frame()).toBe('frame 262')
    expect(wrapper.get('[data-testid=magnify-raw-caption]').text()).toBe('Raw, frame 262')
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'End' }))
    await wrapper.vm.$nextTick()
    expect(frame()).toBe('frame 301')
    // The Coding playhead did not move.
    expect(player.frameNumber).toBe(261)
    wrapper.unmount()
  })
})
