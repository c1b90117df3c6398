import { onBeforeUnmount, onMounted } from 'vue'

/**
 * The one keymap of the studio: every shortcut is an action here, shown in the help overlay (`?`)
 * and dispatched by one window listener. Components register handlers for actions with
 * `useKeymap`; they never listen to keydown themselves, so no two components can fight over a key
 * and the overlay always tells the truth.
 */

export const KEY_GROUPS = ['Player', 'Coding', 'Navigation', 'General'] as const
export type KeyGroup = (typeof KEY_GROUPS)[number]

export interface KeyBinding {
  readonly action: ActionId
  /** Normalised chords (see `chordOf`), e.g. `Shift+ArrowRight`, `Mod+Z`, `?`. */
  readonly keys: readonly string[]
  readonly label: string
  readonly group: KeyGroup
  /** Also fires while a text field has focus (Escape leaves a field; everything else types). */
  readonly inTextFields?: boolean
}

export const KEYMAP = [
  { action: 'player.step-back', keys: ['ArrowLeft'], label: 'Previous frame', group: 'Player' },
  { action: 'player.step-forward', keys: ['ArrowRight'], label: 'Next frame', group: 'Player' },
  { action: 'player.step-back-10', keys: ['Shift+ArrowLeft'], label: 'Back 10 frames', group: 'Player' },
  { action: 'player.step-forward-10', keys: ['Shift+ArrowRight'], label: 'Forward 10 frames', group: 'Player' },
  { action: 'player.first', keys: ['Home'], label: 'First frame', group: 'Player' },
  { action: 'player.last', keys: ['End'], label: 'Last frame', group: 'Player' },
  { action: 'player.play-pause', keys: ['Space'], label: 'Play / pause', group: 'Player' },
  { action: 'player.slower', keys: ['-'], label: 'Slower playback', group: 'Player' },
  { action: 'player.faster', keys: ['='], label: 'Faster playback', group: 'Player' },
  { action: 'player.loop', keys: ['L'], label: 'Loop onset→offset (or the selected range)', group: 'Player' },
  { action: 'player.jump', keys: ['G'], label: 'Jump to frame…', group: 'Player' },
  { action: 'player.view-compare', keys: ['C'], label: 'Onset vs current side by side', group: 'Player' },
  { action: 'player.view-difference', keys: ['D'], label: 'Absolute difference (amplified)', group: 'Player' },
  { action: 'player.zoom-reset', keys: ['0'], label: 'Reset zoom and pan', group: 'Player' },
  { action: 'coding.mark-onset', keys: ['O'], label: 'Mark onset at the current frame', group: 'Coding' },
  { action: 'coding.mark-apex', keys: ['A'], label: 'Mark apex at the current frame', group: 'Coding' },
  { action: 'coding.mark-offset', keys: ['F'], label: 'Mark offset at the current frame', group: 'Coding' },
  { action: 'coding.goto-onset', keys: ['1'], label: 'Go to onset (selects it)', group: 'Coding' },
  { action: 'coding.goto-apex', keys: ['2'], label: 'Go to apex (selects it)', group: 'Coding' },
  { action: 'coding.goto-offset', keys: ['3'], label: 'Go to offset (selects it)', group: 'Coding' },
  { action: 'coding.nudge-back', keys: ['['], label: 'Move the selected mark 1 frame earlier', group: 'Coding' },
  { action: 'coding.nudge-forward', keys: [']'], label: 'Move the selected mark 1 frame later', group: 'Coding' },
  { action: 'coding.clear-mark', keys: ['Delete', 'Backspace'], label: 'Clear the selected mark', group: 'Coding' },
  { action: 'coding.accept-suggested-apex', keys: ['Shift+A'], label: 'Code the apex suggested by the motion curve', group: 'Coding' },
  { action: 'coding.focus-aus', keys: ['U'], label: 'Type AU codes (e.g. 1+2+R12)', group: 'Coding' },
  { action: 'coding.focus-emotion', keys: ['E'], label: 'Choose the emotion', group: 'Coding' },
  { action: 'coding.undo', keys: ['Mod+Z'], label: 'Undo', group: 'Coding' },
  { action: 'coding.redo', keys: ['Mod+Shift+Z', 'Mod+Y'], label: 'Redo', group: 'Coding' },
  { action: 'candidates.next', keys: ['.'], label: 'Long video: next spotted candidate', group: 'Coding' },
  { action: 'candidates.previous', keys: [','], label: 'Long video: previous spotted candidate', group: 'Coding' },
  { action: 'candidates.accept', keys: ['Y'], label: 'Long video: accept the candidate (codes it as an expression)', group: 'Coding' },
  { action: 'candidates.reject', keys: ['X'], label: 'Long video: reject the candidate', group: 'Coding' },
  { action: 'candidates.onset-here', keys: ['Shift+O'], label: "Long video: move the candidate's onset to the current frame", group: 'Coding' },
  { action: 'candidates.offset-here', keys: ['Shift+F'], label: "Long video: move the candidate's offset to the current frame", group: 'Coding' },
  { action: 'nav.next-uncoded', keys: ['N'], label: 'Next uncoded sample', group: 'Navigation' },
  { action: 'nav.previous-uncoded', keys: ['Shift+N'], label: 'Previous uncoded sample', group: 'Navigation' },
  { action: 'nav.next-sample', keys: ['PageDown', 'J'], label: 'Next sample', group: 'Navigation' },
  { action: 'nav.previous-sample', keys: ['PageUp', 'K'], label: 'Previous sample', group: 'Navigation' },
  { action: 'help.toggle', keys: ['?'], label: 'Show / hide this help', group: 'General' },
  { action: 'general.escape', keys: ['Escape'], label: 'Close the overlay / leave the text field', group: 'General', inTextFields: true },
] as const satisfies readonly (Omit<KeyBinding, 'action'> & { action: string })[]

export type ActionId = (typeof KEYMAP)[number]['action']

/**
 * Each mark is labelled with the key that sets it (O, A, F) wherever it is drawn, so no mark is
 * told apart by its colour alone and the offset is not a second "O".
 */
export const MARK_LETTERS = Object.fromEntries(
  (['onset', 'apex', 'offset'] as const).map((kind) => [kind, KEYMAP.find((b) => b.action === `coding.mark-${kind}`)!.keys[0]]),
) as Record<'onset' | 'apex' | 'offset', string>

/** Views in the registry add their own shortcuts as `view.<id>` actions (see views/index.ts). */
export type ViewActionId = `view.${string}`
export type AnyActionId = ActionId | ViewActionId

/**
 * A keyboard event as a chord string: modifiers in the order Mod, Alt, Shift, then the key.
 * Letters are upper-cased; Shift is dropped for other printable characters (it is what made
 * `?` a `?`); Ctrl and ⌘ are both `Mod`.
 */
export function chordOf(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): string {
  let key = event.key === ' ' ? 'Space' : event.key
  const printable = key.length === 1
  const letter = printable && /[a-z]/i.test(key)
  if (letter) key = key.toUpperCase()
  const parts: string[] = []
  if (event.ctrlKey || event.metaKey) parts.push('Mod')
  if (event.altKey) parts.push('Alt')
  if (event.shiftKey && (!printable || letter)) parts.push('Shift')
  parts.push(key)
  return parts.join('+')
}

/** Typing in these must never trigger shortcuts (an `o` in the notes is not an onset). */
export function isTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).tagName !== 'string') return false
  const element = target as HTMLElement
  const tag = element.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT' || element.isContentEditable) return true
  if (tag !== 'INPUT') return false
  const type = (element as HTMLInputElement).type
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color'].includes(type)
}

const ARROW_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'])
/** Controls that toggle or press on Space (a focused "coding finished" box must tick, not play). */
const ACTIVATES = 'button, summary, a[href], input[type=checkbox], input[type=radio], input[type=button], input[type=submit], input[type=reset], select, [role=button], [role=checkbox], [role=switch], [role=radio], [role=option], [role=tab], [role=menuitem], [role=menuitemcheckbox], [role=menuitemradio]'
/** Controls and composite widgets that move with arrow keys (a slider slides, a list moves its selection). */
const NAVIGATES = 'input[type=range], input[type=radio], select, [role=slider], [role=spinbutton], [role=listbox], [role=menu], [role=menubar], [role=tablist], [role=radiogroup], [role=tree], [role=grid], [role=option], [role=menuitem], [role=tab]'

/** Widgets that move up and down only (ARIA's default orientation): ←/→ on them are not theirs. */
const VERTICAL = '[role=listbox], [role=menu], [role=tree]'

/**
 * Whether the focused element uses this chord itself, so a shortcut must leave it alone: Space
 * on a button or checkbox, arrows on a slider, select, list or menu. Modified chords (Shift+→)
 * still reach the player, except on sliders and selects which also use them.
 */
export function consumesKey(target: EventTarget | null, chord: string): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false
  const element = target as Element
  const bare = chord.split('+').pop() ?? chord
  if (chord === 'Space') return element.closest(ACTIVATES) !== null
  if (ARROW_KEYS.has(chord)) {
    const widget = element.closest(NAVIGATES)
    if (!widget) return false
    // ←/→ on a focused sample row or AU entry still step the player: a vertical list does not use them.
    const vertical = widget.closest(VERTICAL)
    return !((chord === 'ArrowLeft' || chord === 'ArrowRight') && vertical !== null && vertical.getAttribute('aria-orientation') !== 'horizontal')
  }
  if (ARROW_KEYS.has(bare) && chord === `Shift+${bare}`) return element.closest('input[type=range], select, [role=slider]') !== null
  return false
}

export interface ExtraBinding {
  readonly action: ViewActionId
  readonly keys: readonly string[]
  readonly label: string
}

const extraBindings: ExtraBinding[] = []

/** Adds shortcuts owned by a registered view (switching to it); shown in the overlay too. */
export function addBindings(bindings: readonly ExtraBinding[]): void {
  for (const binding of bindings) {
    if (!extraBindings.some((b) => b.action === binding.action)) extraBindings.push(binding)
  }
}

/** Every binding, grouped for the help overlay. */
export function allBindings(): { group: KeyGroup | 'Views'; bindings: { action: string; keys: readonly string[]; label: string }[] }[] {
  const groups: { group: KeyGroup | 'Views'; bindings: { action: string; keys: readonly string[]; label: string }[] }[] = KEY_GROUPS.map((group) => ({
    group,
    bindings: KEYMAP.filter((b) => b.group === group),
  }))
  if (extraBindings.length) groups.push({ group: 'Views', bindings: [...extraBindings] })
  return groups
}

/** The binding (built-in or a view's) for a chord, or undefined. */
export function actionForChord(chord: string): { action: AnyActionId; inTextFields: boolean } | undefined {
  const builtIn = (KEYMAP as readonly KeyBinding[]).find((b) => b.keys.includes(chord))
  if (builtIn) return { action: builtIn.action, inTextFields: builtIn.inTextFields ?? false }
  const extra = extraBindings.find((b) => b.keys.includes(chord))
  return extra ? { action: extra.action, inTextFields: false } : undefined
}

/** Human-readable chord for the overlay and tooltips (`Mod` → Ctrl or ⌘). */
export function displayChord(chord: string, mac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform)): string {
  return chord
    .split('+')
    .map((part) => (part === 'Mod' ? (mac ? '⌘' : 'Ctrl') : part === 'ArrowLeft' ? '←' : part === 'ArrowRight' ? '→' : part))
    .join('+')
}

export type ActionHandler = (event: KeyboardEvent) => void

/**
 * Handlers per action, as stacks: the most recently mounted component wins (an open overlay
 * takes Escape from the view below it) and gets it back when it unmounts.
 */
const handlers = new Map<AnyActionId, ActionHandler[]>()
let listening = false

/** Open modal dialogs: while any is open only these actions fire (nothing acts behind a dialog). */
let modalDepth = 0
const MODAL_ACTIONS: ReadonlySet<AnyActionId> = new Set(['general.escape', 'help.toggle'])

/** A modal dialog opens: Escape goes to `close`, other shortcuts stop until the returned release. */
export function holdShortcuts(close: ActionHandler): () => void {
  modalDepth += 1
  const remove = registerActions({ 'general.escape': close })
  return () => {
    modalDepth -= 1
    remove()
  }
}

export function dispatchKey(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.isComposing) return false
  const binding = actionForChord(chordOf(event))
  if (!binding) return false
  if (modalDepth > 0 && !MODAL_ACTIONS.has(binding.action)) return false
  if (!binding.inTextFields && isTextField(event.target)) return false
  if (consumesKey(event.target, chordOf(event))) return false
  const stack = handlers.get(binding.action)
  const handler = stack?.[stack.length - 1]
  if (!handler) return false
  event.preventDefault()
  handler(event)
  return true
}

function ensureListening(): void {
  if (listening || typeof window === 'undefined') return
  window.addEventListener('keydown', dispatchKey)
  listening = true
}

/** Registers `map` programmatically; returns the function that removes exactly these handlers. */
export function registerActions(map: Partial<Record<AnyActionId, ActionHandler>>): () => void {
  ensureListening()
  const entries = Object.entries(map) as [AnyActionId, ActionHandler][]
  for (const [action, handler] of entries) {
    const stack = handlers.get(action) ?? []
    stack.push(handler)
    handlers.set(action, stack)
  }
  return () => {
    for (const [action, handler] of entries) {
      const stack = handlers.get(action)
      const at = stack?.lastIndexOf(handler) ?? -1
      if (stack && at >= 0) stack.splice(at, 1)
    }
  }
}

/** For components: handlers live while the component is mounted. */
export function useKeymap(map: Partial<Record<AnyActionId, ActionHandler>>): void {
  let remove: (() => void) | null = null
  onMounted(() => {
    remove = registerActions(map)
  })
  onBeforeUnmount(() => remove?.())
}
