import { flushPromises, mount } from '@vue/test-utils'
import { getActivePinia } from 'pinia'
import { afterEach, describe, expect, it, vi } from 'vitest'
import BatchExportDialog from '../../src/renderer/src/components/BatchExportDialog.vue'
import KeymapOverlay from '../../src/renderer/src/components/KeymapOverlay.vue'
import ReplacePrompt from '../../src/renderer/src/components/ReplacePrompt.vue'
import { dispatchKey, registerActions } from '../../src/renderer/src/keymap'
import { fakeTransport, installFake } from './helpers/fake-transport'

function press(key: string, shiftKey = false): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true })
  ;(document.activeElement ?? document.body).dispatchEvent(event)
  if (!event.defaultPrevented) dispatchKey(event)
  return event
}

describe('every dialog is modal', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => {
    cleanups.splice(0).forEach((f) => f())
    document.body.innerHTML = ''
  })

  function opener(): HTMLButtonElement {
    const button = document.createElement('button')
    button.textContent = 'Open'
    document.body.append(button)
    button.focus()
    return button
  }

  it('the shortcuts overlay takes focus, wraps Tab, blocks shortcuts behind it, closes on Esc and gives focus back', async () => {
    const mark = vi.fn()
    cleanups.push(registerActions({ 'coding.mark-onset': mark }))
    const before = opener()
    const wrapper = mount(KeymapOverlay, { attachTo: document.body })
    const overlay = wrapper.get('[data-testid=keymap-overlay]').element
    const close = wrapper.get('[data-testid=keymap-close]').element
    expect(document.activeElement).toBe(close)
    // The Close button is its only control: Tab and Shift+Tab stay on it.
    expect(press('Tab').defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(close)
    press('Tab', true)
    expect(overlay.contains(document.activeElement)).toBe(true)
    press('o')
    expect(mark).not.toHaveBeenCalled()
    press('Escape')
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
    expect(document.activeElement).toBe(before)
    press('o')
    expect(mark).toHaveBeenCalledTimes(1)
  })

  it('the export dialog starts in its path field, wraps Tab from its last control to its first, and Esc closes it', async () => {
    installFake(fakeTransport({}).transport)
    const before = opener()
    const wrapper = mount(BatchExportDialog, { props: { jobId: 'job-1' }, attachTo: document.body, global: { plugins: [getActivePinia()!] } })
    expect(document.activeElement).toBe(wrapper.get('[data-testid=batch-export-path]').element)
    const buttons = wrapper.findAll('button')
    const last = buttons[buttons.length - 1]!.element as HTMLElement
    last.focus()
    press('Tab')
    expect(document.activeElement).toBe(wrapper.find('input[type=radio]').element)
    press('Tab', true)
    expect(document.activeElement).toBe(last)
    press('Escape')
    expect(wrapper.emitted('close')).toHaveLength(1)
    wrapper.unmount()
    await flushPromises()
    expect(document.activeElement).toBe(before)
  })

  it('"Replace?" starts on the safe answer, and Esc keeps the file', () => {
    const before = opener()
    const replace = vi.fn()
    const wrapper = mount(ReplacePrompt, { props: { request: { path: '/data/a.csv', replace } }, attachTo: document.body })
    expect(document.activeElement).toBe(wrapper.get('[data-testid=replace-keep]').element)
    expect(wrapper.get('[role=alertdialog]').attributes('aria-labelledby')).toBe('replace-question')
    press('Escape')
    expect(wrapper.emitted('keep')).toHaveLength(1)
    expect(replace).not.toHaveBeenCalled()
    wrapper.unmount()
    expect(document.activeElement).toBe(before)
  })
})
