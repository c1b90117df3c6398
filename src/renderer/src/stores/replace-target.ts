import { StudioError } from '@shared/ipc'

/** What the "Replace?" prompt shows, and the export to run again with overwrite when the user agrees. */
export interface ReplaceRequest {
  path: string
  replace: () => Promise<void>
}

/**
 * Runs an export that was sent without overwrite. When the studio refuses it because its target
 * exists (`export/target-exists`), `ask` is called — the caller shows "Replace?" and, on yes, sends
 * the export again with overwrite — and this resolves undefined instead of failing.
 */
export async function orAskToReplace<T>(work: () => Promise<T>, ask: () => void): Promise<T | undefined> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof StudioError) || error.code !== 'export/target-exists') throw error
    ask()
    return undefined
  }
}
