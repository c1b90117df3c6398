import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { AttentionOutput } from '../../src/shared/domain/model-card'
import type { PredictionResult } from '../../src/shared/ipc'
import AttentionOverlay from '../../src/renderer/src/components/inspect/AttentionOverlay.vue'
import PredictionPanel from '../../src/renderer/src/components/inspect/PredictionPanel.vue'

function prediction(overrides: Partial<PredictionResult> = {}): PredictionResult {
  return {
    id: 'p1',
    recordedId: null,
    modelId: 'off_tanet-demo',
    modelName: 'Off-TANet (demo)',
    recipeId: 'recipe-abc',
    classes: ['negative', 'positive', 'surprise'],
    scoreKind: 'logits',
    scores: [0.1, 2, -1],
    probabilities: [0.12, 0.82, 0.06],
    predictedIndex: 1,
    predictedClass: 'positive',
    provider: 'cpu',
    fallbacks: [{ provider: 'cuda', reason: 'Failed to load shared library' }],
    timings: { preprocessMs: 412.3, inferenceMs: 3.42, warmupMs: 10 },
    input: { width: 4, height: 4, frameIndices: [3, 9], apex: { index: 9, source: 'spotted' }, warnings: ['No apex coded: frame 9 found by spotting was used.'] },
    attention: [],
    auRegions: { source: 'ground-truth', regions: [{ name: 'AU12: left mouth corner', polygon: [[0, 0], [2, 0], [2, 2], [0, 2]] }], note: '' },
    ...overrides,
  }
}

const display = (aggregation: AttentionOutput['display']['aggregation'], multiplyBy?: string): AttentionOutput['display'] => ({
  aggregation,
  overlay: aggregation === 'bar' ? 'none' : 'input',
  description: '',
  ...(multiplyBy ? { multiplyBy } : {}),
})

const OUTPUTS: AttentionOutput[] = [
  { name: 'channel_attention', kind: 'channel', layer: 'block3', shape: [-1, 3], axes: ['batch', 'channel'], display: display('bar') },
  { name: 'spatial_attention', kind: 'spatial', layer: 'block3', shape: [-1, 1, 2, 2], axes: ['batch', 'one', 'y', 'x'], display: display('map') },
  { name: 'self_attention', kind: 'self', layer: 'block3', shape: [-1, 2, 2, 2, 2], axes: ['batch', 'head', 'channel', 'y', 'x'], display: display('max-over-heads-channels-times-spatial', 'spatial_attention') },
]

const TENSORS = {
  channel_attention: { data: new Float32Array([0.2, 0.9, 0.5]), shape: [1, 3] },
  // Top-left strongest: on the 4×4 input it covers the AU box [0, 0, 2, 2].
  spatial_attention: { data: new Float32Array([1, 0.5, 0.5, 0.1]), shape: [1, 1, 2, 2] },
  self_attention: { data: new Float32Array([4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2]), shape: [1, 2, 2, 2, 2] },
}

describe('PredictionPanel', () => {
  it('shows the probabilities, the coded label, the provider actually used and timings', () => {
    const wrapper = mount(PredictionPanel, { props: { prediction: prediction(), codedClass: 'negative', codedAus: '4+7', frameNumbers: Array.from({ length: 20 }, (_, i) => 100 + i) } })
    const bars = wrapper.findAll('[data-testid=class-bar]')
    // As read out (white space collapsed): the name, the coded tag and the value apart (#27 item 7).
    expect(bars.map((b) => b.text().replace(/\s+/g, ' '))).toEqual(['negative coded 12.0%', 'positive 82.0%', 'surprise 6.0%'])
    expect(bars[1]!.classes()).toContain('predicted')
    expect(wrapper.get('[data-testid=predicted-class]').text()).toBe('positive')
    expect(wrapper.text()).toContain('differs from the coded label')
    expect(wrapper.get('[data-testid=coded-label]').text()).toBe('negative · AUs 4+7')
    expect(wrapper.get('[data-testid=provider-used]').text()).toContain('cpu')
    expect(wrapper.get('[data-testid=provider-used]').text()).toContain('(not cuda)')
    expect(wrapper.get('[data-testid=timings]').text()).toBe('preprocess 412 ms · inference 3.4 ms')
    // Clip indices 3 and 9 are shown as the dataset's frame numbers.
    expect(wrapper.text()).toContain('onset 103 → apex found by spotting 109')
    expect(wrapper.text()).toContain('No apex coded')
  })
})

describe('AttentionOverlay', () => {
  const mountOverlay = () =>
    mount(AttentionOverlay, { props: { prediction: prediction(), outputs: OUTPUTS, tensors: TENSORS, faceUrl: '/media/attention/p1/face.png' } })

  it("starts on the paper's aggregation: max over heads and channels × spatial map, on the input grid", () => {
    const wrapper = mountOverlay()
    const heat = wrapper.get('[data-testid=attention-heatmap]')
    expect(heat.attributes('data-output')).toBe('self_attention')
    // max over maps = [4, 1, 1, 2]; × spatial [1, .5, .5, .1] = [4, .5, .5, .2]; bilinear to 4×4 keeps the extremes.
    const [min, max] = heat.attributes('data-range')!.split(',').map(Number)
    expect(max).toBeCloseTo(4, 5)
    expect(min).toBeCloseTo(0.2, 5)
    expect(wrapper.get('[data-testid=attention-face]').attributes('src')).toBe('/media/attention/p1/face.png')
  })

  it('reports the attention mass inside the AU regions and flags a model that looks elsewhere', async () => {
    const wrapper = mountOverlay()
    expect(wrapper.findAll('[data-testid=au-region]')).toHaveLength(1)
    expect(wrapper.get('[data-testid=au-mass]').text()).toMatch(/^\d+% of the attention mass lies inside the AU regions \(they cover 25% of the input: [\d.]+× uniform\)/)
    expect(wrapper.get('[data-testid=au-mass]').text()).not.toContain('Looks elsewhere')
    await wrapper.setProps({ prediction: prediction({ auRegions: { source: 'ground-truth', regions: [{ name: 'AU4', polygon: [[2, 2], [4, 2], [4, 4], [2, 4]] }], note: '' } }) })
    expect(wrapper.get('[data-testid=au-mass]').text()).toContain('Looks elsewhere.')
  })

  it("says so beside the map when the card's attention was trained against region masks", async () => {
    const wrapper = mountOverlay()
    expect(wrapper.find('[data-testid=attention-supervised]').exists()).toBe(false)
    await wrapper.setProps({ attentionSupervised: true })
    expect(wrapper.get('[data-testid=attention-supervised]').text()).toContain('where it was taught to look')
  })

  it('selects one head/channel map and draws channel weights as bars', async () => {
    const wrapper = mountOverlay()
    await wrapper.get('[data-testid=attention-mode]').setValue('single')
    expect(wrapper.find('[data-testid=attention-index-head]').exists()).toBe(true)
    await wrapper.get('[data-testid=attention-index-head]').setValue('1')
    await wrapper.get('[data-testid=attention-index-channel]').setValue('1')
    // head 1, channel 1 = the last map [0, 0, 0, 2].
    expect(wrapper.get('[data-testid=attention-heatmap]').attributes('data-range')).toBe('0,2')
    const bars = wrapper.get('[data-testid=bars-channel_attention]').findAll('.bar')
    const heights = bars.map((b) => Number(/height: ([\d.]+)%/.exec(b.attributes('style') ?? '')![1]))
    expect(heights[0]).toBeCloseTo((0.2 / 0.9) * 100, 4)
    expect(heights[1]).toBe(100)
    expect(heights[2]).toBeCloseTo((0.5 / 0.9) * 100, 4)
  })

  it('shows a per-frame map at the coded apex: the input frame nearest it, on the map\'s time axis', async () => {
    const outputs: AttentionOutput[] = [
      { name: 'spatial_attention', kind: 'spatial', layer: 'fam', shape: [-1, 1, 3, 1, 2], axes: ['batch', 'one', 'frame', 'y', 'x'], display: display('map-per-frame') },
    ]
    // frame f holds [f, 10 + f]: the mean over frames is [1, 11], frame 2 is [2, 12]
    const tensors = { spatial_attention: { data: new Float32Array([0, 10, 1, 11, 2, 12]), shape: [1, 1, 3, 1, 2] } }
    // clip frames 10…20 resampled to 3 input frames (10, 15, 20): apex 19 is nearest input frame 2
    const input = { width: 4, height: 4, frameIndices: Array.from({ length: 11 }, (_, i) => 10 + i), apex: null, warnings: [] }
    const wrapper = mount(AttentionOverlay, {
      props: { prediction: prediction({ input }), outputs, tensors, faceUrl: '/face.png', apexIndex: 19, inputFrames: 3 },
    })
    expect(wrapper.get('[data-testid=attention-heatmap]').attributes('data-range')).toBe('1,11')
    const apexOption = wrapper.get('[data-testid=attention-mode] option[value=apex]')
    expect(apexOption.text()).toBe('apex frame: 2 (of 0–2)')
    await wrapper.get('[data-testid=attention-mode]').setValue('apex')
    expect(wrapper.get('[data-testid=attention-heatmap]').attributes('data-range')).toBe('2,12')
    // an apex outside the frames used offers no apex view and falls back to the summary
    await wrapper.setProps({ apexIndex: 40 })
    expect(wrapper.find('[data-testid=attention-mode] option[value=apex]').exists()).toBe(false)
    expect(wrapper.get('[data-testid=attention-heatmap]').attributes('data-range')).toBe('1,11')
  })
  it("shows AST+SVMNet's FAM as the paper defines it: one map at the input size and one weight per frame", async () => {
    // Xue et al. 2024, Fig. 3: the FAM on the 10xHxW input; a 1xHxW spatial map, a 10x1x1 channel (frame) attention
    const outputs: AttentionOutput[] = [
      { name: 'channel_attention', kind: 'channel', layer: 'fam', shape: [-1, 10], axes: ['batch', 'frame'], display: display('bar') },
      { name: 'spatial_attention', kind: 'spatial', layer: 'fam', shape: [-1, 1, 4, 4], axes: ['batch', 'one', 'y', 'x'], display: display('map') },
    ]
    const frames = Float32Array.from({ length: 10 }, (_, i) => (i === 6 ? 0.37 : 0.07))
    const map = Float32Array.from({ length: 16 }, (_, i) => (i === 0 ? 0.5 : 0.03125))
    const tensors = { channel_attention: { data: frames, shape: [1, 10] }, spatial_attention: { data: map, shape: [1, 1, 4, 4] } }
    const input = { width: 4, height: 4, frameIndices: Array.from({ length: 10 }, (_, i) => 10 + i), apex: null, warnings: [] }
    const wrapper = mount(AttentionOverlay, {
      props: { prediction: prediction({ input }), outputs, tensors, faceUrl: '/face.png', apexIndex: 16, inputFrames: 10 },
    })
    // the map is the input's own grid: drawn as it is, no frame axis to pick an apex on
    expect(wrapper.get('[data-testid=attention-heatmap]').attributes('data-range')).toBe('0.03125,0.5')
    expect(wrapper.find('[data-testid=attention-mode] option[value=apex]').exists()).toBe(false)
    const chart = wrapper.get('[data-testid=bars-channel_attention]')
    expect(chart.get('.chart').attributes('aria-label')).toBe('channel_attention: 10 frame weights')
    expect(chart.findAll('.bar').map((b) => b.attributes('title'))[6]).toBe('frame 6: 0.3700')
  })
})
