import { describe, expect, it } from 'vitest'
import { foldFamilyOf, formatSelection, heldOutGroupsOf, isHeldOutBy, parseSelection, parseShard, shardOf } from '@shared/domain/batch'

describe('batch domain', () => {
  it('parses --select terms and formats them back', () => {
    expect(parseSelection('all')).toEqual({ coded: 'any' })
    const s = parseSelection('dataset=CASME II, subject=sub01,coded')
    expect(s).toEqual({ coded: 'coded', dataset: 'CASME II', subject: 'sub01' })
    expect(formatSelection(s)).toBe('dataset=CASME II,subject=sub01,coded')
    expect(() => parseSelection('subjects=1')).toThrow(/not one of/)
  })

  it('parses --shard k/N (1-based) and refuses nonsense', () => {
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 })
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '-1/4']) expect(() => parseShard(bad)).toThrow(/--shard/)
  })

  it('spreads samples over shards deterministically and roughly evenly', () => {
    const counts = [0, 0, 0, 0]
    for (let s = 0; s < 40; s++) for (let k = 0; k < 25; k++) counts[shardOf('CASME II', `sub${s}`, `EP${k}`, 4) - 1]! += 1
    expect(counts.reduce((a, b) => a + b)).toBe(1000)
    for (const c of counts) expect(c).toBeGreaterThan(200)
    expect(shardOf('SAMM', '006', '006_1_2', 7)).toBe(shardOf('SAMM', '006', '006_1_2', 7))
  })

  it('reads the held-out groups of per-fold models as the models kit writes them', () => {
    const groups = [{ dataset: 'CASME II', subject: 'sub04' }]
    // models/train.py: f"{protocol}, fold {k}: trained without {dataset}/{subject}[+…]"
    expect(heldOutGroupsOf('loso, fold 3: trained without CASME II/sub04')).toEqual(groups)
    expect(heldOutGroupsOf('group-kfold:2, fold 0: trained without a/s1+b/s2')).toEqual([{ dataset: 'a', subject: 's1' }, { dataset: 'b', subject: 's2' }])
    expect(heldOutGroupsOf('loso cross-validation for the metrics; the shipped weights use all data')).toBeNull()
    expect(isHeldOutBy(groups, 'CASME II', 'sub04')).toBe(true)
    expect(isHeldOutBy(groups, 'CASME II', 'sub05')).toBe(false)
    expect(isHeldOutBy(null, 'any', 'one')).toBe(true)
    expect(foldFamilyOf('off_tanet-lab-fold12')).toBe('off_tanet-lab')
  })
})
