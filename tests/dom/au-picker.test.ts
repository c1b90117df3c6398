import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { parseAus, type AuSet } from '@shared/domain/au'
import AuPicker from '../../src/renderer/src/components/AuPicker.vue'

function mountPicker(text = '') {
  return mount(AuPicker, { props: { modelValue: parseAus(text).value } })
}

const emitted = (wrapper: ReturnType<typeof mountPicker>) => (wrapper.emitted('update:modelValue') ?? []).map(([v]) => v as AuSet)

describe('AuPicker', () => {
  it('parses a CASME II-style string with the shared parser and emits it', async () => {
    const wrapper = mountPicker()
    const field = wrapper.get('[data-testid=au-text]')
    await field.setValue('1+2+r12')
    await field.trigger('blur')
    expect(emitted(wrapper)).toEqual([parseAus('1+2+R12').value])
  })

  it('shows the set formatted back, with one chip per AU (name from the catalogue)', () => {
    const wrapper = mountPicker('L4+R14A')
    expect((wrapper.get('[data-testid=au-text]').element as HTMLInputElement).value).toBe('L4+R14A')
    const chips = wrapper.findAll('.au-chip')
    expect(chips).toHaveLength(2)
    expect(chips[0]!.text()).toContain('Brow lowerer')
    expect(chips[1]!.text()).toContain('Dimpler')
  })

  it('refuses a string with a token that is not an AU code and says which', async () => {
    const wrapper = mountPicker('12')
    const field = wrapper.get('[data-testid=au-text]')
    await field.setValue('12+smile')
    await field.trigger('blur')
    expect(emitted(wrapper)).toEqual([])
    expect(wrapper.get('[data-testid=au-problems]').text()).toContain('not an AU code: "smile"')
  })

  it('sets the side and intensity of an AU from its chip', async () => {
    const wrapper = mountPicker('12')
    const [side, intensity] = wrapper.findAll('.au-chip select')
    await side!.setValue('R')
    await intensity!.setValue('C')
    expect(emitted(wrapper)).toEqual([parseAus('R12').value, parseAus('12C').value])
  })

  it('searches the full catalogue by number, name or muscle and adds by click', async () => {
    const wrapper = mountPicker('1')
    await wrapper.get('[data-testid=au-search]').setValue('zygomaticus major')
    const entries = wrapper.findAll('.au-entry')
    expect(entries.map((e) => e.find('.au-num').text())).toContain('12')
    await wrapper.get('[data-testid=au-entry-12]').trigger('click')
    expect(emitted(wrapper)).toEqual([parseAus('1+12').value])
  })

  it('edits the first reading of an "or" cell, keeping the alternatives', async () => {
    const wrapper = mountPicker('R14 or R24')
    await wrapper.get('[data-testid=au-entry-17]').trigger('click')
    await wrapper.get('[aria-label="Remove AU 14"]').trigger('click')
    expect(emitted(wrapper)).toEqual([parseAus('R14+17 or R24').value, parseAus('R24').value])
  })

  it('is one Tab stop: arrows move the active entry, Space and Enter add or remove its AU', async () => {
    const wrapper = mountPicker('1')
    const catalogue = wrapper.get('[data-testid=au-catalogue]')
    expect(catalogue.attributes('tabindex')).toBe('0')
    expect(wrapper.findAll('.au-entry').every((e) => e.attributes('tabindex') === undefined && e.element.tagName !== 'BUTTON')).toBe(true)
    const first = wrapper.findAll('.au-entry')[0]!.attributes('id')
    expect(catalogue.attributes('aria-activedescendant')).toBe(first)
    await catalogue.trigger('keydown', { key: 'ArrowDown' })
    const second = wrapper.findAll('.au-entry')[1]!
    expect(catalogue.attributes('aria-activedescendant')).toBe(second.attributes('id'))
    // Space on a coded AU removes it; Enter on another adds it (the props stay as mounted here).
    expect(second.find('.au-num').text()).toBe('1')
    await catalogue.trigger('keydown', { key: ' ' })
    await catalogue.trigger('keydown', { key: 'ArrowUp' })
    await catalogue.trigger('keydown', { key: 'Enter' })
    const firstAu = wrapper.findAll('.au-entry')[0]!.find('.au-num').text()
    expect(emitted(wrapper)).toEqual([parseAus('').value, parseAus(`${firstAu}+1`).value])
  })
})
