import { afterEach, describe, expect, it, vi } from 'vitest'
import { KEYMAP, actionForChord, allBindings, chordOf, consumesKey, dispatchKey, isTextField, registerActions } from '../../src/renderer/src/keymap'

function key(init: KeyboardEventInit, target: EventTarget = document.body): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init })
  Object.defineProperty(event, 'target', { value: target })
  return event
}

describe('keymap', () => {
  const cleanups: (() => void)[] = []
  afterEach(() => cleanups.splice(0).forEach((f) => f()))

  it('normalises chords: letters upper-case, Shift kept for letters and named keys, dropped for symbols, Ctrl/⌘ as Mod', () => {
    expect(chordOf({ key: 'o', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false })).toBe('O')
    expect(chordOf({ key: 'N', ctrlKey: false, metaKey: false, altKey: false, shiftKey: true })).toBe('Shift+N')
    expect(chordOf({ key: 'ArrowRight', ctrlKey: false, metaKey: false, altKey: false, shiftKey: true })).toBe('Shift+ArrowRight')
    expect(chordOf({ key: '?', ctrlKey: false, metaKey: false, altKey: false, shiftKey: true })).toBe('?')
    expect(chordOf({ key: 'Z', ctrlKey: true, metaKey: false, altKey: false, shiftKey: true })).toBe('Mod+Shift+Z')
    expect(chordOf({ key: 'z', ctrlKey: false, metaKey: true, altKey: false, shiftKey: false })).toBe('Mod+Z')
    expect(chordOf({ key: ' ', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false })).toBe('Space')
  })

  it('binds every chord to exactly one action', () => {
    const chords = KEYMAP.flatMap((b) => b.keys)
    expect(new Set(chords).size).toBe(chords.length)
    expect(actionForChord('O')?.action).toBe('coding.mark-onset')
    expect(actionForChord('Mod+Shift+Z')?.action).toBe('coding.redo')
  })

  it('dispatches to the most recently registered handler and gives the key back when it unregisters', () => {
    const below = vi.fn()
    const above = vi.fn()
    cleanups.push(registerActions({ 'general.escape': below }))
    const removeAbove = registerActions({ 'general.escape': above })
    expect(dispatchKey(key({ key: 'Escape' }))).toBe(true)
    expect(above).toHaveBeenCalledTimes(1)
    expect(below).not.toHaveBeenCalled()
    removeAbove()
    dispatchKey(key({ key: 'Escape' }))
    expect(below).toHaveBeenCalledTimes(1)
  })

  it('ignores shortcuts typed into text fields, except those meant for them (Escape)', () => {
    const mark = vi.fn()
    const escape = vi.fn()
    cleanups.push(registerActions({ 'coding.mark-onset': mark, 'general.escape': escape }))
    const input = document.createElement('input')
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' })
    expect(isTextField(input)).toBe(true)
    expect(isTextField(document.createElement('textarea'))).toBe(true)
    expect(isTextField(checkbox)).toBe(false)
    const typed = key({ key: 'o' }, input)
    expect(dispatchKey(typed)).toBe(false)
    expect(typed.defaultPrevented).toBe(false)
    expect(mark).not.toHaveBeenCalled()
    dispatchKey(key({ key: 'o' }, checkbox))
    expect(mark).toHaveBeenCalledTimes(1)
    dispatchKey(key({ key: 'Escape' }, input))
    expect(escape).toHaveBeenCalledTimes(1)
  })

  it('leaves keys to the focused control that uses them: Space ticks a checkbox, arrows move a slider or a list', () => {
    const play = vi.fn()
    const step = vi.fn()
    const stepTen = vi.fn()
    const mark = vi.fn()
    cleanups.push(registerActions({ 'player.play-pause': play, 'player.step-forward': step, 'player.step-forward-10': stepTen, 'coding.mark-onset': mark }))
    const checkbox = Object.assign(document.createElement('input'), { type: 'checkbox' })
    const button = document.createElement('button')
    const slider = Object.assign(document.createElement('input'), { type: 'range' })
    const list = document.createElement('ul')
    list.setAttribute('role', 'listbox')
    const option = document.createElement('li')
    option.setAttribute('role', 'option')
    list.append(option)
    document.body.append(checkbox, button, slider, list)
    for (const control of [checkbox, button, document.createElement('select')]) {
      expect(consumesKey(control, 'Space')).toBe(true)
      const space = key({ key: ' ' }, control)
      expect(dispatchKey(space)).toBe(false)
      expect(space.defaultPrevented).toBe(false)
    }
    expect(play).not.toHaveBeenCalled()
    expect(dispatchKey(key({ key: 'ArrowRight' }, slider))).toBe(false)
    expect(dispatchKey(key({ key: 'ArrowRight', shiftKey: true }, slider))).toBe(false)
    expect(dispatchKey(key({ key: 'ArrowDown' }, option))).toBe(false)
    expect(step).not.toHaveBeenCalled()
    expect(stepTen).not.toHaveBeenCalled()
    // Keys those controls do not use still reach the studio; so do arrows on a button and Space on the page.
    dispatchKey(key({ key: 'o' }, slider))
    expect(mark).toHaveBeenCalledTimes(1)
    dispatchKey(key({ key: 'ArrowRight' }, button))
    dispatchKey(key({ key: 'ArrowRight', shiftKey: true }, option))
    expect(step).toHaveBeenCalledTimes(1)
    // A vertical list uses ↑/↓ only: → on a focused sample row steps the player.
    dispatchKey(key({ key: 'ArrowRight' }, option))
    expect(step).toHaveBeenCalledTimes(2)
    expect(stepTen).toHaveBeenCalledTimes(1)
    dispatchKey(key({ key: ' ' }))
    expect(play).toHaveBeenCalledTimes(1)
    checkbox.remove()
    button.remove()
    slider.remove()
    list.remove()
  })

  it('prevents the browser default only for keys it handles', () => {
    cleanups.push(registerActions({ 'player.play-pause': () => undefined }))
    const space = key({ key: ' ' })
    dispatchKey(space)
    expect(space.defaultPrevented).toBe(true)
    const unbound = key({ key: 'q' })
    expect(dispatchKey(unbound)).toBe(false)
    expect(unbound.defaultPrevented).toBe(false)
  })

  it('lists every binding for the help overlay, views included', async () => {
    await import('../../src/renderer/src/views')
    const groups = allBindings()
    expect(groups.map((g) => g.group)).toEqual(['Player', 'Coding', 'Navigation', 'General', 'Views'])
    expect(groups.flatMap((g) => g.bindings).length).toBeGreaterThanOrEqual(KEYMAP.length + 3)
    expect(actionForChord('Alt+1')?.action).toBe('view.coding')
  })
})
