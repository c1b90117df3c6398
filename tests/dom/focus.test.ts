import { afterEach, describe, expect, it } from 'vitest'
import { keepFocus, leaveField } from '../../src/renderer/src/focus'

/** Lets the MutationObserver report and the keeper's microtask run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('focus is never lost to the body', () => {
  let stop: (() => void) | null = null
  afterEach(() => {
    stop?.()
    document.body.innerHTML = ''
  })

  function page(): { fallback: HTMLElement; part: HTMLElement; run: HTMLButtonElement; coder: HTMLElement; menu: HTMLSelectElement; form: HTMLElement; add: HTMLButtonElement } {
    document.body.innerHTML = `
      <div id="fallback" tabindex="-1"></div>
      <section id="part" data-focus-home tabindex="-1"><button id="run">Run</button></section>
      <div id="coder" data-focus-home tabindex="-1"><select id="menu"></select><form id="form"><button id="add">Add</button></form></div>`
    const get = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
    return { fallback: get('fallback'), part: get('part'), run: get('run'), coder: get('coder'), menu: get('menu'), form: get('form'), add: get('add') }
  }

  it('moves focus to the region around a button that is disabled while its job runs', async () => {
    const { part, run, fallback } = page()
    stop = keepFocus(document, () => fallback)
    run.focus()
    run.disabled = true
    run.blur() // what the browser's focus fix-up does to a disabled control
    await settle()
    expect(document.activeElement).toBe(part)
  })

  it('moves focus to the nearest region left when the focused control is removed', async () => {
    const { form, add, coder, fallback } = page()
    stop = keepFocus(document, () => fallback)
    add.focus()
    form.remove()
    await settle()
    expect(document.activeElement).toBe(coder)
  })

  it('uses the fallback when no region around the control is left', async () => {
    const { part, run, fallback } = page()
    stop = keepFocus(document, () => fallback)
    run.focus()
    part.remove()
    await settle()
    expect(document.activeElement).toBe(fallback)
  })

  it('leaves focus alone when it moved on purpose or the control is still usable', async () => {
    const { run, menu, fallback } = page()
    stop = keepFocus(document, () => fallback)
    run.focus()
    run.blur() // Escape leaves a control: the body keeps focus, the control is still there
    document.body.append(document.createElement('p'))
    await settle()
    expect(document.activeElement).toBe(document.body)
    run.focus()
    menu.focus()
    run.remove()
    await settle()
    expect(document.activeElement).toBe(menu)
  })

  it('leaving a field gives focus to the region around it, not to the body', () => {
    document.body.innerHTML = '<aside id="panel" data-focus-home tabindex="-1"><input id="aus" /></aside><input id="loose" />'
    const field = document.getElementById('aus') as HTMLInputElement
    field.focus()
    leaveField(field)
    expect(document.activeElement?.id).toBe('panel')
    const loose = document.getElementById('loose') as HTMLInputElement
    loose.focus()
    leaveField(loose)
    expect(document.activeElement).toBe(document.body)
  })
})
