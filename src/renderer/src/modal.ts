import { onBeforeUnmount, onMounted, type Ref } from 'vue'
import { holdShortcuts } from './keymap'

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** Open modals, innermost last: only the innermost keeps focus. */
const open: HTMLElement[] = []

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)]
}

function focusFirst(root: HTMLElement): void {
  ;(root.querySelector<HTMLElement>('[autofocus]') ?? focusables(root)[0] ?? root).focus()
}

/**
 * Makes the element in `root` a modal dialog while the component is mounted: focus moves into it
 * (an `autofocus` control, else the first one), Tab and Shift+Tab wrap inside it, Escape calls
 * `close`, no other shortcut fires behind it, and focus returns to where it was when the dialog
 * goes. A mouse click may still move focus out of a dialog shown inline (the batch export panel);
 * Tab then leaves it there rather than pulling it back.
 */
export function useModalFocus(root: Ref<HTMLElement | null>, close: () => void): void {
  let returnTo: HTMLElement | null = null
  let release: (() => void) | null = null

  function wrapTab(event: KeyboardEvent): void {
    const el = root.value
    const active = document.activeElement
    if (event.key !== 'Tab' || !el || open[open.length - 1] !== el || !el.contains(active)) return
    const items = focusables(el)
    const first = items[0]
    const last = items[items.length - 1]
    if (!first || !last) {
      event.preventDefault()
    } else if (event.shiftKey ? active === first || active === el : active === last) {
      event.preventDefault()
      ;(event.shiftKey ? last : first).focus()
    }
  }

  onMounted(() => {
    const el = root.value
    if (!el) return
    returnTo = document.activeElement instanceof HTMLElement ? document.activeElement : null
    open.push(el)
    release = holdShortcuts(() => close())
    document.addEventListener('keydown', wrapTab, true)
    focusFirst(el)
  })

  onBeforeUnmount(() => {
    const at = root.value ? open.lastIndexOf(root.value) : -1
    if (at >= 0) open.splice(at, 1)
    release?.()
    document.removeEventListener('keydown', wrapTab, true)
    if (returnTo?.isConnected) returnTo.focus()
  })
}
