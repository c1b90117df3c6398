/**
 * Focus is never lost to `<body>` (#27 item 3). When the focused control goes away or can no longer
 * hold focus — a Run button disabled while its job runs, a form closed, a view switched away, the
 * first screen replaced by the opened project — focus moves to the nearest region around it that is
 * still shown and marked `data-focus-home` (with `tabindex="-1"`): the region where the job's result
 * appears. A region rather than a control in it, so single-key shortcuts act at once (a focused
 * menu would take the letters). When none is left, `fallback` names where focus goes. One rule for
 * every button, so no handler has to remember it.
 */
export const FOCUS_HOME = '[data-focus-home]'

function unusable(element: HTMLElement): boolean {
  return !element.isConnected || element.matches(':disabled') || element.closest('[hidden], [inert]') !== null
}

/** The `data-focus-home` regions around `element`, innermost first (not the element itself). */
function homesOf(element: HTMLElement): HTMLElement[] {
  const homes: HTMLElement[] = []
  for (let at = element.parentElement?.closest<HTMLElement>(FOCUS_HOME); at; at = at.parentElement?.closest<HTMLElement>(FOCUS_HOME)) homes.push(at)
  return homes
}

/**
 * Leaves a field (Esc, or Enter in a one-line field) without dropping focus on `<body>`: the
 * nearest region around it takes focus, so single-key shortcuts act again and Tab goes on from
 * where the coder was.
 */
export function leaveField(element: Element | null): void {
  if (!(element instanceof HTMLElement)) return
  const home = element.parentElement?.closest<HTMLElement>(FOCUS_HOME)
  if (home) home.focus()
  else element.blur()
}

/** Starts keeping focus in `doc`; returns the function that stops it. */
export function keepFocus(doc: Document, fallback: () => HTMLElement | null): () => void {
  let last: HTMLElement | null = null
  let homes: HTMLElement[] = []
  let scheduled = false

  function remember(event: FocusEvent): void {
    if (!(event.target instanceof HTMLElement)) return
    last = event.target
    homes = homesOf(event.target)
  }

  function check(): void {
    scheduled = false
    const active = doc.activeElement
    // Focus elsewhere is someone's choice (a dialog took it, the user clicked): leave it there.
    if (!last || !unusable(last) || (active && active !== doc.body && active !== last)) return
    const target = homes.find((h) => !unusable(h)) ?? fallback()
    if (target && !unusable(target)) target.focus()
  }

  function schedule(): void {
    if (scheduled) return
    scheduled = true
    queueMicrotask(check)
  }

  const observer = new MutationObserver(schedule)
  observer.observe(doc.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'inert'] })
  doc.addEventListener('focusin', remember)
  return () => {
    observer.disconnect()
    doc.removeEventListener('focusin', remember)
  }
}
