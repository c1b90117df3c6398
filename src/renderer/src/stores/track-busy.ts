import type { Ref } from 'vue'

/**
 * Runs one user action for a store: `busy` shows `label` while it runs and returns to `idle`,
 * `error` is cleared first and holds the failure's message after. Resolves with the action's
 * result, or undefined when it failed (the store shows the error; nothing is thrown at the UI).
 */
export async function trackBusy<B, T>(state: { busy: Ref<B>; error: Ref<string | null> }, label: B, idle: B, work: () => Promise<T>): Promise<T | undefined> {
  state.busy.value = label
  state.error.value = null
  try {
    return await work()
  } catch (e) {
    state.error.value = (e as Error).message
    return undefined
  } finally {
    state.busy.value = idle
  }
}
