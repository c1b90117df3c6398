import { defineAsyncComponent, type Component } from 'vue'
import { addBindings } from '../keymap'

/**
 * The workspace views shown as tabs above the main area. Other features append theirs with
 * one `registerView` call in this file (an attention-inspection view, a batch/report view, a
 * motion view…). A view is loaded on first use; it reads the open sample and dataset from the
 * stores (`useProjectStore().currentSample`, `usePlayerStore()`), never from props.
 */
export interface WorkspaceView {
  /** Stable id, also the `view.<id>` keymap action that switches to it. */
  readonly id: string
  readonly label: string
  /** Lazy import: `() => import('./MyView.vue')`. */
  readonly component: Component
  /** Chord that switches to the view (e.g. `Alt+1`), listed in the help overlay. */
  readonly shortcut: string
  /** Needs a sample open (most do); views such as reports work on the whole dataset. */
  readonly needsSample: boolean
}

const registry: WorkspaceView[] = []

export function registerView(view: {
  id: string
  label: string
  load: () => Promise<{ default: Component }>
  shortcut: string
  needsSample?: boolean
}): void {
  if (registry.some((v) => v.id === view.id)) throw new Error(`view ${view.id} registered twice`)
  registry.push({
    id: view.id,
    label: view.label,
    component: defineAsyncComponent(view.load),
    shortcut: view.shortcut,
    needsSample: view.needsSample ?? true,
  })
  addBindings([{ action: `view.${view.id}`, keys: [view.shortcut], label: `Show the ${view.label} view` }])
}

export function workspaceViews(): readonly WorkspaceView[] {
  return registry
}

export function findView(id: string): WorkspaceView | undefined {
  return registry.find((v) => v.id === id)
}

registerView({ id: 'coding', label: 'Coding', load: () => import('./CodingView.vue'), shortcut: 'Alt+1' })
registerView({ id: 'agreement', label: 'Agreement', load: () => import('./AgreementView.vue'), shortcut: 'Alt+2', needsSample: false })
registerView({ id: 'adjudication', label: 'Adjudication', load: () => import('./AdjudicationView.vue'), shortcut: 'Alt+3' })
registerView({ id: 'motion', label: 'Motion', load: () => import('./MotionView.vue'), shortcut: 'Alt+4' })
registerView({ id: 'inspect', label: 'Inspect', load: () => import('./InspectView.vue'), shortcut: 'Alt+5' })
registerView({ id: 'batch', label: 'Batch', load: () => import('./BatchView.vue'), shortcut: 'Alt+6', needsSample: false })
